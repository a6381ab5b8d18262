/**
 * The PostgreSQL connector's machinery: framing and startup decoding, the client and upstream handshakes,
 * the relay that asks the gate before forwarding, and cancel-key bookkeeping. Not API.
 */
package dev.airlock.connectors.postgres.internal;
