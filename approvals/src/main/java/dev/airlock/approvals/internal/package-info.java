/** Implementation details of the approval service: eligibility, storage codecs, PostgreSQL wake-ups, and
 * what every chat channel shares (replay guard, bounded texts). */
package dev.airlock.approvals.internal;
