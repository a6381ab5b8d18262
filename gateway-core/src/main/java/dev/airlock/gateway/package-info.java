/** The Airlock process: listeners, OIDC verification, the gate tying policy, approvals and lineage together. */
package dev.airlock.gateway;
