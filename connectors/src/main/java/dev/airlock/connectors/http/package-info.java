/**
 * The HTTP/1.1 connector: a reverse proxy where every request is an action the gate decides.
 * {@link dev.airlock.connectors.http.HttpPipelineConfigurator} assembles a listener's pipeline from an
 * {@link dev.airlock.connectors.http.HttpListenerConfig} (with its {@link dev.airlock.connectors.http.HttpRoute}s)
 * and a {@link dev.airlock.connectors.spi.Gate}.
 */
package dev.airlock.connectors.http;
