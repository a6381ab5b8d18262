/**
 * The Microsoft Teams approval channel: an Azure Bot posts Adaptive Cards with Approve / Deny ({@code Action.Execute}),
 * the Bot Framework delivers clicks to the messaging endpoint as signed {@code adaptiveCard/action} invokes.
 */
package dev.airlock.approvals.teams;
