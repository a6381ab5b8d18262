/** Protocol connectors: one package per protocol (codec, session flows, upstream client) and the {@code spi} the gate implements. */
package dev.airlock.connectors;
