package dev.airlock.policy;

import static dev.airlock.policy.Fixtures.AGENT;
import static dev.airlock.policy.Fixtures.BASTION;
import static dev.airlock.policy.Fixtures.BILLING_API;
import static dev.airlock.policy.Fixtures.DBA;
import static dev.airlock.policy.Fixtures.MONDAY_NOON;
import static dev.airlock.policy.Fixtures.PROD_PG;
import static dev.airlock.policy.Fixtures.exec;
import static dev.airlock.policy.Fixtures.policy;
import static dev.airlock.policy.Fixtures.select;
import static dev.airlock.policy.Fixtures.stmt;
import static dev.airlock.policy.Fixtures.tables;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.config.Protocol;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One test group per criterion of docs/policy.md; each rule allows, so ALLOW means "matched". */
class MatcherTest {

    private static boolean matches(String match, Identity id, ConnectionRef conn, Action action, Instant at) {
        CompiledPolicy p = policy("rules:\n  - id: r\n    effect: allow\n    match: " + match + "\n");
        return p.decide(id, conn, action, at).effect() == Effect.ALLOW;
    }

    private static boolean sqlMatches(String match, Action action) {
        return matches(match, AGENT, PROD_PG, action, MONDAY_NOON);
    }

    private static boolean identityMatches(String match, Identity id) {
        return matches(match, id, PROD_PG, select("t"), MONDAY_NOON);
    }

    @Nested
    class IdentityCriteria {
        final Identity delegated = new Identity("iss", "bob", "bob@example.com", Set.of("staff"),
                Map.of("roles", List.of("reader", "auditor")),
                List.of(new Identity.Actor("agent-7", "iss", Map.of("groups", List.of("agents"), "email", "agent@bots.example.com")),
                        new Identity.Actor("orchestrator", "iss", Map.of())));

        @Test
        void subjectAndEmailGlobs() {
            assertThat(identityMatches("{identity: {subject: [agent-*]}}", AGENT)).isTrue();
            assertThat(identityMatches("{identity: {subject: [human-*]}}", AGENT)).isFalse();
            assertThat(identityMatches("{identity: {email: ['*@example.com']}}", DBA)).isTrue();
            assertThat(identityMatches("{identity: {email: ['*@example.com']}}", AGENT)).isFalse();
        }

        @Test
        void groupsAnyAndAll() {
            assertThat(identityMatches("{identity: {groups: [nope, dba]}}", DBA)).isTrue();
            assertThat(identityMatches("{identity: {groups: [nope]}}", DBA)).isFalse();
            assertThat(identityMatches("{identity: {groups_all: [dba, oncall]}}", DBA)).isTrue();
            assertThat(identityMatches("{identity: {groups_all: [dba, agents]}}", DBA)).isFalse();
        }

        @Test
        void claimsByPathAndInLists() {
            assertThat(identityMatches("{identity: {claims: {dept: infra}}}", DBA)).isTrue();
            assertThat(identityMatches("{identity: {claims: {org.tier: [silver, gold]}}}", DBA)).isTrue();
            assertThat(identityMatches("{identity: {claims: {org.tier: silver}}}", DBA)).isFalse();
            assertThat(identityMatches("{identity: {claims: {roles: auditor}}}", delegated)).isTrue();
            assertThat(identityMatches("{identity: {claims: {missing.claim: x}}}", DBA)).isFalse();
        }

        @Test
        void delegationSeparatesActorFromPrincipal() {
            assertThat(identityMatches("{identity: {delegated: true}}", delegated)).isTrue();
            assertThat(identityMatches("{identity: {delegated: true}}", AGENT)).isFalse();
            assertThat(identityMatches("{identity: {delegated: false}}", AGENT)).isTrue();
            assertThat(identityMatches("{identity: {actor: {subject: [agent-*]}}}", delegated)).isTrue();
            assertThat(identityMatches("{identity: {actor: {groups: [agents], email: ['*@bots.example.com']}}}", delegated)).isTrue();
            assertThat(identityMatches("{identity: {actor: {subject: [orchestrator]}}}", delegated)).isFalse();
            assertThat(identityMatches("{identity: {actor: {subject: ['*']}}}", AGENT)).isFalse();
            assertThat(identityMatches("{identity: {principal: {subject: [bob], groups: [staff]}}}", delegated)).isTrue();
            assertThat(identityMatches("{identity: {principal: {subject: [agent-7]}}}", delegated)).isFalse();
        }
    }

    @Nested
    class ConnectionCriteria {
        @Test
        void nameProtocolAndLabels() {
            assertThat(sqlMatches("{connection: {name: [prod-*]}}", select("t"))).isTrue();
            assertThat(sqlMatches("{connection: {name: [staging-*]}}", select("t"))).isFalse();
            assertThat(sqlMatches("{connection: {protocol: [postgres, mysql]}}", select("t"))).isTrue();
            assertThat(sqlMatches("{connection: {protocol: [ssh]}}", select("t"))).isFalse();
            assertThat(sqlMatches("{connection: {labels: {env: [prod, dr]}}}", select("t"))).isTrue();
            assertThat(sqlMatches("{connection: {labels: {env: prod, team: payments}}}", select("t"))).isFalse();
        }
    }

    @Nested
    class TimeCriteria {
        final Instant mondayNight = Instant.parse("2026-11-23T23:30:00Z");
        final Instant saturdayNoon = Instant.parse("2026-11-28T12:00:00Z");

        private boolean at(String match, Instant when) {
            return matches(match, AGENT, PROD_PG, select("t"), when);
        }

        @Test
        void weekdaysAndWindows() {
            assertThat(at("{time: {weekdays: [mon, tue, wed, thu, fri], between: '09:00-18:00'}}", MONDAY_NOON)).isTrue();
            assertThat(at("{time: {weekdays: [mon, tue, wed, thu, fri], between: '09:00-18:00'}}", saturdayNoon)).isFalse();
            assertThat(at("{time: {between: '09:00-12:00'}}", MONDAY_NOON)).isFalse();
            assertThat(at("{time: {between: '12:00-12:01'}}", MONDAY_NOON)).isTrue();
        }

        @Test
        void overnightWindowsAndTimeZones() {
            assertThat(at("{time: {between: '22:00-06:00'}}", mondayNight)).isTrue();
            assertThat(at("{time: {between: '22:00-06:00'}}", MONDAY_NOON)).isFalse();
            // 23:30 UTC on Monday is 00:30 on Tuesday in Berlin.
            assertThat(at("{time: {weekdays: [tue], timezone: Europe/Berlin}}", mondayNight)).isTrue();
            assertThat(at("{time: {weekdays: [mon], timezone: Europe/Berlin}}", mondayNight)).isFalse();
        }
    }

    @Nested
    class SqlCriteria {
        @Test
        void kindAndStatementType() {
            assertThat(sqlMatches("{sql: {kind: [read]}}", select("t"))).isTrue();
            assertThat(sqlMatches("{sql: {kind: [write]}}", select("t"))).isFalse();
            SqlAction multi = Fixtures.sql(stmt("SELECT", SqlKind.READ, tables("a"), Set.of()),
                    stmt("DROP TABLE", SqlKind.DDL, Set.of(), tables("a")));
            assertThat(sqlMatches("{sql: {kind: [read]}}", multi)).as("effective kind of a multi-statement string").isFalse();
            assertThat(sqlMatches("{sql: {kind: [ddl]}}", multi)).isTrue();
            assertThat(sqlMatches("{sql: {statement: ['drop   table']}}", multi)).isTrue();
            assertThat(sqlMatches("{sql: {statement: [INSERT]}}", multi)).isFalse();
        }

        @Test
        void tablesAreSchemaQualifiedCaseInsensitiveGlobs() {
            assertThat(sqlMatches("{sql: {tables: [public.orders]}}", select("orders"))).isTrue();
            assertThat(sqlMatches("{sql: {tables: [public.orders]}}", select("sales.orders"))).isFalse();
            assertThat(sqlMatches("{sql: {tables: [orders]}}", select("sales.orders"))).isTrue();
            assertThat(sqlMatches("{sql: {tables: [SALES.*]}}", select("sales.orders"))).isTrue();
            assertThat(sqlMatches("{sql: {tables: ['*.order?']}}", select("x.Orders"))).isTrue();
        }

        @Test
        void tablesReadAndWrittenAreSeparate() {
            SqlAction insertSelect = Fixtures.sql(stmt("INSERT", SqlKind.WRITE, tables("staging.src"), tables("dst")));
            assertThat(sqlMatches("{sql: {tables_read: [staging.src]}}", insertSelect)).isTrue();
            assertThat(sqlMatches("{sql: {tables_written: [staging.src]}}", insertSelect)).isFalse();
            assertThat(sqlMatches("{sql: {tables_written: [public.dst]}}", insertSelect)).isTrue();
            assertThat(sqlMatches("{sql: {tables: [dst]}}", insertSelect)).isTrue();
        }

        @Test
        void functionsWithOrWithoutSchema() {
            SqlAction call = Fixtures.sql(new SqlStatement("SELECT", SqlKind.EXPORT, Set.of(), Set.of(),
                    Set.of("pg_catalog.pg_read_file", "lower"), false, null));
            assertThat(sqlMatches("{sql: {functions: [pg_read_*]}}", call)).isTrue();
            assertThat(sqlMatches("{sql: {functions: [pg_catalog.pg_read_file]}}", call)).isTrue();
            assertThat(sqlMatches("{sql: {functions: [public.pg_read_file]}}", call)).isFalse();
            assertThat(sqlMatches("{sql: {functions: [lower]}}", call)).isTrue();
            assertThat(sqlMatches("{sql: {functions: [upper]}}", call)).isFalse();
        }

        @Test
        void whereAbsentAndUnparsed() {
            assertThat(sqlMatches("{sql: {where: absent}}", Fixtures.update("t", true))).isTrue();
            assertThat(sqlMatches("{sql: {where: absent}}", Fixtures.update("t", false))).isFalse();
            SqlAction unparsed = Fixtures.sql(new SqlStatement("SELECT", SqlKind.READ, Set.of(), Set.of(), Set.of(), false, "?"));
            assertThat(sqlMatches("{sql: {unparsed: true}}", unparsed)).isTrue();
            assertThat(sqlMatches("{sql: {unparsed: true}}", select("t"))).isFalse();
            assertThat(sqlMatches("{sql: {unparsed: false}}", select("t"))).isTrue();
        }
    }

    @Nested
    class SshCriteria {
        private boolean ssh(String match, SshAction a) {
            return matches(match, AGENT, BASTION, a, MONDAY_NOON);
        }

        @Test
        void programMatchesThePathOrItsBaseName() {
            assertThat(ssh("{ssh: {program: [df]}}", exec("/usr/bin/df", "-h"))).isTrue();
            assertThat(ssh("{ssh: {program: ['/usr/bin/*']}}", exec("/usr/bin/df", "-h"))).isTrue();
            assertThat(ssh("{ssh: {program: [rm]}}", exec("/usr/bin/df", "-h"))).isFalse();
        }

        @Test
        void argvIsTheWholeCommandLine() {
            assertThat(ssh("{ssh: {argv: ['systemctl restart *']}}", exec("systemctl", "restart", "nginx"))).isTrue();
            assertThat(ssh("{ssh: {argv: ['systemctl restart *']}}", exec("systemctl", "status", "nginx"))).isFalse();
        }

        @Test
        void channelTransferAndPaths() {
            SshAction upload = new SshAction("bastion", SshAction.ChannelType.SUBSYSTEM, "sftp", List.of(),
                    SshAction.Transfer.UPLOAD, List.of("/etc/nginx/nginx.conf"));
            SshAction shell = new SshAction("bastion", SshAction.ChannelType.SHELL, null, List.of(), null, List.of());
            assertThat(ssh("{ssh: {channel: [subsystem], transfer: [upload], paths: ['/etc/**']}}", upload)).isTrue();
            assertThat(ssh("{ssh: {paths: ['/etc/*']}}", upload)).as("* stops at /").isFalse();
            assertThat(ssh("{ssh: {transfer: [download]}}", upload)).isFalse();
            assertThat(ssh("{ssh: {channel: [shell]}}", shell)).isTrue();
            assertThat(ssh("{ssh: {argv: ['*']}}", shell)).isFalse();
        }
    }

    @Nested
    class HttpCriteria {
        final ObjectMapper json = new ObjectMapper();

        private HttpAction request(String method, String path, Map<String, List<String>> query,
                                   Map<String, List<String>> headers, String body) throws Exception {
            return new HttpAction("billing-api", method, "billing", path, query, headers,
                    body == null ? null : "digest", body == null ? null : json.readTree(body));
        }

        private boolean http(String match, HttpAction a) {
            return matches(match, AGENT, BILLING_API, a, MONDAY_NOON);
        }

        @Test
        void methodPathQueryAndHeaders() throws Exception {
            HttpAction a = request("post", "/v1/users/7/keys", Map.of("dry_run", List.of("false", "true")),
                    Map.of("content-type", List.of("application/json; charset=utf-8")), null);
            assertThat(http("{http: {method: [POST], path: ['/v1/users/*/keys']}}", a)).isTrue();
            assertThat(http("{http: {path: ['/v1/*']}}", a)).isFalse();
            assertThat(http("{http: {path: ['/v1/**']}}", a)).isTrue();
            assertThat(http("{http: {query: {dry_run: 'true'}}}", a)).isTrue();
            assertThat(http("{http: {query: {force: '*'}}}", a)).isFalse();
            assertThat(http("{http: {headers: {Content-Type: 'application/json*'}}}", a)).isTrue();
        }

        @Test
        void bodyFieldComparisons() throws Exception {
            HttpAction a = request("POST", "/v1/refunds", Map.of(), Map.of(),
                    "{\"amount\": 1500.5, \"currency\": \"EUR\", \"items\": [{\"sku\": \"A-1\"}], \"note\": null}");
            assertThat(http("{http: {body: {amount: {gt: 1000}}}}", a)).isTrue();
            assertThat(http("{http: {body: {amount: {gt: 1000, lte: 1500}}}}", a)).isFalse();
            assertThat(http("{http: {body: {amount: {gte: 1500.5, lt: 2000}}}}", a)).isTrue();
            assertThat(http("{http: {body: {currency: {eq: EUR}}}}", a)).isTrue();
            assertThat(http("{http: {body: {currency: {ne: EUR}}}}", a)).isFalse();
            assertThat(http("{http: {body: {currency: {in: [USD, EUR]}}}}", a)).isTrue();
            assertThat(http("{http: {body: {items.0.sku: {glob: 'A-*'}}}}", a)).isTrue();
            assertThat(http("{http: {body: {reason: {exists: false}, note: {exists: false}}}}", a)).isTrue();
            assertThat(http("{http: {body: {currency: {exists: true}}}}", a)).isTrue();
            assertThat(http("{http: {body: {amount: {eq: 1500.5}}}}", a)).isTrue();
        }

        @Test
        void pathCapturesFeedParamsReasonsAndTemplates() throws Exception {
            HttpAction a = request("DELETE", "/v1/customers/c-42/invoices/2026/7", Map.of(), Map.of(), null);
            assertThat(http("{http: {path: ['/v1/customers/{customer}/invoices/**']}}", a)).isTrue();
            assertThat(http("{http: {path: ['/v1/customers/{customer}/invoices/**'], params: {customer: 'c-4*'}}}", a)).isTrue();
            assertThat(http("{http: {path: ['/v1/customers/{customer}/invoices/**'], params: {customer: 'c-5*'}}}", a)).isFalse();
            assertThat(http("{http: {path: ['/v1/customers/{customer}']}}", a)).isFalse();
            // a capture is one non-empty segment
            assertThat(http("{http: {path: ['/v1/customers/{customer}/invoices/{year}/{n}']}}",
                    request("GET", "/v1/customers//invoices/2026/7", Map.of(), Map.of(), null))).isFalse();
            CompiledPolicy p = policy("""
                    rules:
                      - id: no-deleting-old-invoices
                        effect: deny
                        match: {http: {method: [DELETE], path: ['/v1/customers/{customer}/**/{year}/{n}'], params: {year: '20??'}}}
                        explain: "invoice {path.n} of {path.year} for {path.customer} stays"
                    """);
            Decision d = p.decide(AGENT, BILLING_API, a, MONDAY_NOON);
            assertThat(d.effect()).isEqualTo(Effect.DENY);
            assertThat(d.matchedRules()).containsExactly("no-deleting-old-invoices");
            assertThat(d.reasons()).contains("http.path=/v1/customers/c-42/invoices/2026/7", "http.params.year=2026");
            assertThat(d.explanation()).isEqualTo("invoice 7 of 2026 for c-42 stays");
        }

        @Test
        void anUnreadableBodyMatchesDenyRulesButNotAllowRules() throws Exception {
            HttpAction tooLarge = new HttpAction("billing-api", "POST", "billing", "/v1/refunds", Map.of(), Map.of(),
                    "digest-of-a-huge-body", null);
            assertThat(http("{http: {body: {amount: {lt: 10}}}}", tooLarge)).isFalse();
            CompiledPolicy p = policy("rules:\n  - {id: big, effect: deny, match: {http: {body: {amount: {gt: 1000}}}}}\n"
                    + "  - {id: ok, effect: allow}\n");
            Decision d = p.decide(AGENT, BILLING_API, tooLarge, MONDAY_NOON);
            assertThat(d.effect()).isEqualTo(Effect.DENY);
            assertThat(d.reasons()).contains("http.body.amount=unknown");
        }
    }

    @Nested
    class Composition {
        @Test
        void anyAllAndNot() {
            SqlAction orders = select("orders");
            assertThat(sqlMatches("{any: [{sql: {kind: [write]}}, {sql: {tables: [orders]}}]}", orders)).isTrue();
            assertThat(sqlMatches("{any: [{sql: {kind: [write]}}, {sql: {tables: [x]}}]}", orders)).isFalse();
            assertThat(sqlMatches("{all: [{sql: {kind: [read]}}, {sql: {tables: [orders]}}]}", orders)).isTrue();
            assertThat(sqlMatches("{all: [{sql: {kind: [read]}}, {sql: {tables: [x]}}]}", orders)).isFalse();
            assertThat(sqlMatches("{not: {sql: {tables: [secrets]}}}", orders)).isTrue();
            assertThat(sqlMatches("{not: {sql: {tables: [orders]}}}", orders)).isFalse();
            assertThat(sqlMatches("{any: [{ssh: {channel: [exec]}}, {http: {method: [GET]}}]}", orders)).isFalse();
        }

        @Test
        void notOfAnUnknownStaysUnknownSoAllowRulesDoNotMatch() {
            SqlAction unparsed = Fixtures.sql(new SqlStatement("SELECT", SqlKind.READ, Set.of(), Set.of(), Set.of(), false, "?"));
            assertThat(sqlMatches("{not: {sql: {tables: [secrets]}}}", unparsed)).isFalse();
        }

        @Test
        void anEmptyMatchMatchesEverything() {
            CompiledPolicy p = policy("rules: [{id: all, effect: allow}]");
            assertThat(p.decide(AGENT, BASTION, exec("ls"), MONDAY_NOON).effect()).isEqualTo(Effect.ALLOW);
            assertThat(p.decide(AGENT, new ConnectionRef("m", Protocol.MYSQL, Map.of()),
                    new SqlAction("m", Protocol.MYSQL, "SELECT 1", List.of(), select("t").analysis()), MONDAY_NOON).effect())
                    .isEqualTo(Effect.ALLOW);
        }
    }
}
