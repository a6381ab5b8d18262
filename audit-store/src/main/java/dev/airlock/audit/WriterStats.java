package dev.airlock.audit;

/**
 * Counters of a {@link LineageWriter}, for metrics and health checks.
 *
 * @param committed      records committed to PostgreSQL (or found there already)
 * @param spooled        records written to the local spool
 * @param replayed       spooled records later committed to PostgreSQL
 * @param rejected       appends refused because the queue was full (backpressure), at once or after waiting
 * @param failed         records that could be made durable nowhere (spool full or unwritable)
 * @param queued         records waiting in memory now
 * @param queuePeak      most records ever waiting in memory at once
 * @param spoolRecords   records in the spool now
 * @param storeReachable whether the last attempt to reach PostgreSQL succeeded
 * @param deadLettered   records PostgreSQL refused for their content, kept in the dead-letter file next to the spool
 * @param delayed        {@link LineageWriter#enqueue} calls that had to wait for room (back-pressure passed to the caller)
 * @param waiting        {@link LineageWriter#enqueue} calls waiting for room now
 * @param transactions   transactions committed to PostgreSQL (both lanes, spool replay included); committed records
 *                       divided by this is the mean batch
 */
public record WriterStats(long committed, long spooled, long replayed, long rejected, long failed, int queued,
                          int queuePeak, long spoolRecords, boolean storeReachable, long deadLettered, long delayed,
                          int waiting, long transactions) {}
