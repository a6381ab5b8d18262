/** Implementation details of the approval service: eligibility, storage codecs, PostgreSQL wake-ups. */
package dev.airlock.approvals.internal;
