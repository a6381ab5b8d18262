/** The PostgreSQL lineage store: schema, batched writer with spool, hash chain, auditor queries. */
package dev.airlock.audit;
