/**
 * PostgreSQL protocol 3.0 messages, one class per message named as in the protocol documentation.
 * Direction is the sealed {@link dev.airlock.connectors.postgres.message.FrontendMessage} /
 * {@link dev.airlock.connectors.postgres.message.BackendMessage}; decoding dispatches on
 * {@link dev.airlock.connectors.postgres.message.FrontendType} / {@link dev.airlock.connectors.postgres.message.BackendType}.
 */
package dev.airlock.connectors.postgres.message;
