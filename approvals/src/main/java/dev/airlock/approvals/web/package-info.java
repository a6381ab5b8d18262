/**
 * The approval web page: approvers sign in with OIDC (authorization code + PKCE), see the pending requests they
 * may vote on and approve or deny them with CSRF-protected forms. GET never changes an approval.
 */
package dev.airlock.approvals.web;
