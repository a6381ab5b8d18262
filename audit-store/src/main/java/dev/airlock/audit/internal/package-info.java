/** Implementation of the lineage store: journal sealing and COPY, event encoding, the local spool. */
package dev.airlock.audit.internal;
