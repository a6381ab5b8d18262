/** The Slack approval channel: Block Kit cards, clicks over Socket Mode or the signed HTTP interactivity endpoint. */
package dev.airlock.approvals.slack;
