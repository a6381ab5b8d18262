/**
 * Airlock's configuration: {@code airlock.yaml} bound into immutable records ({@link dev.airlock.config.AirlockConfig},
 * loaded by {@link dev.airlock.config.AirlockConfigLoader}), strictly validated with file:line:column errors,
 * secrets as {@link dev.airlock.config.Secret}, and files watched for change by
 * {@link dev.airlock.config.ConfigWatcher}. The generic YAML binding lives in {@code dev.airlock.config.yaml};
 * the policy file binding in {@code dev.airlock.config.policy}.
 */
package dev.airlock.config;
