/** Binding and validation of {@code airlock.yaml}; the public face is {@link dev.airlock.config.AirlockConfigLoader}. */
package dev.airlock.config.internal;
