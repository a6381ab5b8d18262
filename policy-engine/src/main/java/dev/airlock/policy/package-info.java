/**
 * The vocabulary every module speaks ({@link dev.airlock.policy.Identity}, {@link dev.airlock.policy.Action},
 * {@link dev.airlock.policy.Decision}) and the decision itself. Pure: no I/O, no Netty, no JDBC.
 */
package dev.airlock.policy;
