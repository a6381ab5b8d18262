/** Slack wire details: card rendering, request signatures, Web API calls with rate-limit retries, Socket Mode. */
package dev.airlock.approvals.slack.internal;
