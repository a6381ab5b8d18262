/** Implementation details of the Airlock process: the admin HTTP listener and its routes, self-signed TLS. */
package dev.airlock.gateway.internal;
