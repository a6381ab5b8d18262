/** The located YAML tree and the binding helpers behind {@link dev.airlock.config.policy.PolicyReader}. */
package dev.airlock.config.policy.internal;
