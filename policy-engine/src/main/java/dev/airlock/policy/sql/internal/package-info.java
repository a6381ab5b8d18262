/**
 * Implementation of the SQL analysis: a lexer that follows PostgreSQL's {@code scan.l} rules, the
 * statement splitter and the structural analysis of one statement. Not API.
 */
package dev.airlock.policy.sql.internal;
