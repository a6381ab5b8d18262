/**
 * The HTTP connector's machinery: per agent connection the request flow ({@code HttpConnection}, one
 * {@code Exchange} per request), the bridge to the gate ({@code GateBridge}), routing, the per-event-loop
 * upstream pools, held {@code respond-async} requests and the WebSocket tunnel. Not API.
 */
package dev.airlock.connectors.http.internal;
