/**
 * The protocol-neutral contract between a connector and the gate: authenticate a connection, admit one
 * command, report its result. Connectors call it; {@code gateway-core} implements it.
 */
package dev.airlock.connectors.spi;
