/**
 * SQL analysis: {@link dev.airlock.policy.sql.SqlAnalyzer} reads a statement string with PostgreSQL's own
 * lexical rules, splits it exactly as the server does and reports what each statement effectively does
 * (kind, tables, functions), never less privileged than the truth; what it cannot fully read is reported as
 * unparsed; an {@code EXECUTE} is read as the statement the caller's
 * {@link dev.airlock.policy.sql.PreparedStatements} say its name stands for. Calls of operators PostgreSQL does not define appear in {@code functions} as
 * {@code operator(<op>)}. Code stored in the database (triggers, rules, view bodies, casts and operators
 * overloaded on user types) runs unseen, as does anything a changed {@code search_path} resolves to.
 */
package dev.airlock.policy.sql;
