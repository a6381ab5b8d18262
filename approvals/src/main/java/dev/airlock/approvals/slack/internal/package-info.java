/** Slack wire details: card rendering, request signatures, replay guard, Web API calls with rate-limit retries, Socket Mode. */
package dev.airlock.approvals.slack.internal;
