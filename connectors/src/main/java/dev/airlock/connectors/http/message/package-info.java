/**
 * What the HTTP connector reads and writes besides Netty's own HTTP messages: the normalised request target
 * policy decides on, the hop-by-hop header rules of RFC 9110, and RFC 9457 problem details for every refusal.
 */
package dev.airlock.connectors.http.message;
