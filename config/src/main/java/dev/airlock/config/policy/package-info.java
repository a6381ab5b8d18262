/**
 * Policy files bound into immutable records ({@link dev.airlock.config.policy.PolicyDocument}) with every
 * problem reported as {@code file:line:column: path: message}, the policy test-case format, and the
 * cross-check of policy files against the connections and channels of {@code airlock.yaml}.
 */
package dev.airlock.config.policy;
