/**
 * The PostgreSQL (protocol 3.0) connector: {@link dev.airlock.connectors.postgres.PostgresPipelineConfigurator}
 * assembles a listener's pipeline from a {@link dev.airlock.connectors.postgres.PostgresListenerConfig} and a
 * {@link dev.airlock.connectors.spi.Gate}.
 */
package dev.airlock.connectors.postgres;
