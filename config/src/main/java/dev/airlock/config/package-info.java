/**
 * Airlock's configuration: {@code airlock.yaml} and policy files bound into immutable records,
 * strictly validated with file:line:column errors, secrets interpolated, files watched for change.
 */
package dev.airlock.config;
