/**
 * A local stand-in for Slack (Web API over HTTP, Socket Mode over WebSocket) that speaks the real wire formats and
 * records what it received, and a driver that builds and signs real interaction payloads. Production code runs
 * against it unchanged; only the base URL differs.
 */
package dev.airlock.testing.slack;
