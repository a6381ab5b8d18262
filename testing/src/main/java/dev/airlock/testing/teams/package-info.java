/**
 * A local stand-in for the Bot Framework as a Teams bot sees it (Entra's token endpoint, the Bot Connector REST API,
 * the OpenID metadata and keys that sign deliveries) that speaks the real wire formats, records what it received,
 * and builds and signs real {@code adaptiveCard/action} invokes. Production code runs against it unchanged; only the
 * base URLs differ.
 */
package dev.airlock.testing.teams;
