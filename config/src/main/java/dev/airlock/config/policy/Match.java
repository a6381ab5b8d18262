package dev.airlock.config.policy;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A rule's {@code match} block: every criterion present must hold. Absent criteria are {@code null}
 * (or empty lists for {@code any}/{@code all}). Lists inside criteria mean "any of"; an empty list is
 * rejected by the reader, so an empty list never silently matches nothing.
 */
public record Match(IdentityMatch identity, ConnectionMatch connection, TimeMatch time, SqlMatch sql,
                    SshMatch ssh, HttpMatch http, List<Match> any, List<Match> all, Match not,
                    SourceLocation location) {

    /** A match that holds for every action (an absent {@code match}). */
    public static Match always(SourceLocation location) {
        return new Match(null, null, null, null, null, null, List.of(), List.of(), null, location);
    }

    public Match {
        any = List.copyOf(any);
        all = List.copyOf(all);
        Objects.requireNonNull(location, "location");
    }

    /** Names an identity: the token subject, or one side of a delegation. */
    public record PartyMatch(List<String> subject, List<String> email, List<String> groups,
                             Map<String, List<String>> claims) {
        public PartyMatch {
            subject = copy(subject);
            email = copy(email);
            groups = copy(groups);
            claims = copy(claims);
        }
    }

    /**
     * @param party     subject, email, groups (any) and claims of the token subject
     * @param groupsAll groups the subject must all be in
     * @param delegated whether the token must (true) or must not (false) carry an {@code act} chain
     * @param actor     the current actor of a delegated token
     * @param principal the subject a delegated token acts for (the token subject, delegated or not)
     */
    public record IdentityMatch(PartyMatch party, List<String> groupsAll, Boolean delegated, PartyMatch actor,
                                PartyMatch principal) {
        public IdentityMatch {
            Objects.requireNonNull(party, "party");
            groupsAll = copy(groupsAll);
        }
    }

    public record ConnectionMatch(List<String> name, List<String> protocol, Map<String, List<String>> labels) {
        public ConnectionMatch {
            name = copy(name);
            protocol = copy(protocol);
            labels = copy(labels);
        }
    }

    /**
     * @param weekdays days on which it holds (empty: every day)
     * @param from     window start, inclusive, or {@code null} for all day
     * @param to       window end, exclusive; before {@code from} means the window crosses midnight
     * @param zone     the time zone the window is read in
     */
    public record TimeMatch(Set<DayOfWeek> weekdays, LocalTime from, LocalTime to, ZoneId zone) {
        public TimeMatch {
            weekdays = Set.copyOf(weekdays);
            Objects.requireNonNull(zone, "zone");
            if ((from == null) != (to == null)) {
                throw new IllegalArgumentException("between: " + from + "-" + to + " (expected: both ends or none)");
            }
        }
    }

    /** Kinds and statement types as written (lower-case kinds, upper-case statement types). */
    public record SqlMatch(List<String> kind, List<String> statement, List<String> tables, List<String> tablesRead,
                           List<String> tablesWritten, List<String> functions, boolean whereAbsent, Boolean unparsed) {
        public SqlMatch {
            kind = copy(kind);
            statement = copy(statement);
            tables = copy(tables);
            tablesRead = copy(tablesRead);
            tablesWritten = copy(tablesWritten);
            functions = copy(functions);
        }
    }

    /** Channel and transfer values lower-case as written ({@code exec}, {@code upload} …). */
    public record SshMatch(List<String> program, List<String> argv, List<String> channel, List<String> transfer,
                           List<String> paths) {
        public SshMatch {
            program = copy(program);
            argv = copy(argv);
            channel = copy(channel);
            transfer = copy(transfer);
            paths = copy(paths);
        }
    }

    /**
     * @param method  methods (upper-case), any of
     * @param path    path globs, any of; a whole segment written {@code {name}} matches one non-empty segment and
     *                captures it (see {@link PathPattern})
     * @param params  captured path segments: name → value glob; every name is captured by every {@code path} pattern
     * @param query   query parameter name → value glob
     * @param headers header name (lower-case) → value glob
     * @param body    JSON body field path → comparisons
     */
    public record HttpMatch(List<String> method, List<String> path, Map<String, String> params, Map<String, String> query,
                            Map<String, String> headers, Map<String, List<BodyCondition>> body) {
        public HttpMatch {
            method = copy(method);
            path = copy(path);
            params = copy(params);
            query = copy(query);
            headers = copy(headers);
            body = copy(body);
        }
    }

    /** One comparison on a JSON body field. */
    public enum BodyOp { EQ, NE, GT, GTE, LT, LTE, IN, EXISTS, GLOB }

    /**
     * @param op     the comparison
     * @param values the operand(s) as text; one value except for {@code in}
     * @param numeric whether the operand was written as a YAML number
     */
    public record BodyCondition(BodyOp op, List<String> values, boolean numeric) {
        public BodyCondition {
            Objects.requireNonNull(op, "op");
            values = List.copyOf(values);
        }
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    private static <K, V> Map<K, V> copy(Map<K, V> map) {
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
