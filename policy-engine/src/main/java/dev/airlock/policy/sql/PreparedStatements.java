package dev.airlock.policy.sql;

/**
 * The statements a session has prepared with SQL {@code PREPARE}, as whoever tracks the session knows them, so that
 * {@code EXECUTE name} is analysed as the statement it runs. Must answer only for names it is sure of: a name it does
 * not know leaves the {@code EXECUTE} unparsed, which is never less privileged than the truth.
 */
@FunctionalInterface
public interface PreparedStatements {

    /** Knows no prepared statement. */
    PreparedStatements NONE = name -> null;

    /**
     * The text of the statement prepared as {@code name} (folded to lower case unless it was quoted, as the server
     * names it; see {@link PreparedChange}), or {@code null} when unknown.
     */
    String lookup(String name);
}
