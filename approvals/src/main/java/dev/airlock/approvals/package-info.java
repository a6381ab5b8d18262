/** Approval requests and votes: state machine, quorum, eligibility, timeouts, and the channels that ask humans. */
package dev.airlock.approvals;
