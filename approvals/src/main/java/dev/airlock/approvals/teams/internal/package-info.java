/** Teams wire details: Adaptive Cards, the Bot Connector REST client and the verifier of the Bot Framework's tokens. */
package dev.airlock.approvals.teams.internal;
