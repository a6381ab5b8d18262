/** The compiled form of a policy: globs, criteria and templates that evaluate without parsing or regexes. */
package dev.airlock.policy.internal;
