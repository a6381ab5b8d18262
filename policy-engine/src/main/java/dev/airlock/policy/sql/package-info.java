/**
 * SQL analysis: a lexer that follows PostgreSQL's scanner rules and a structural analysis that reports
 * what each statement effectively does (kind, tables, functions), never less privileged than the truth.
 */
package dev.airlock.policy.sql;
