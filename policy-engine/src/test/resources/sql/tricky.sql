-- Tricky cases for the differential test. Entries are separated by lines starting with "-- ----";
-- every entry must be valid PostgreSQL 17 syntax (invalid input is covered by the unit tests).
WITH gone AS (DELETE FROM customers WHERE true RETURNING *) SELECT count(*) FROM gone
-- ----
WITH u AS (UPDATE accounts SET balance = 0 RETURNING id), i AS (INSERT INTO log(id) SELECT id FROM u RETURNING 1) SELECT * FROM i
-- ----
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT sum(n) FROM r
-- ----
WITH m AS MATERIALIZED (SELECT * FROM base), n AS NOT MATERIALIZED (SELECT * FROM m) SELECT * FROM n JOIN other USING (id)
-- ----
EXPLAIN ANALYZE DELETE FROM t WHERE id = 1
-- ----
EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) UPDATE t SET a = a + 1
-- ----
EXPLAIN (ANALYZE false) INSERT INTO t VALUES (1)
-- ----
EXPLAIN SELECT * FROM t WHERE id = 1
-- ----
EXPLAIN VERBOSE WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x
-- ----
SELECT * INTO TEMP TABLE snapshot FROM customers WHERE active
-- ----
SELECT a, b INTO UNLOGGED s.copy FROM src
-- ----
CREATE TABLE snap AS SELECT * FROM customers
-- ----
CREATE TEMP TABLE snap2 AS WITH x AS (SELECT 1 AS a) SELECT * FROM x
-- ----
CREATE MATERIALIZED VIEW mv AS SELECT id, lower(name) FROM customers WITH NO DATA
-- ----
COPY customers (id, name) FROM STDIN WITH (FORMAT csv, HEADER true)
-- ----
COPY customers TO STDOUT
-- ----
COPY (SELECT * FROM secrets WHERE id > 10) TO '/tmp/out.csv' WITH (FORMAT csv)
-- ----
COPY customers FROM '/etc/passwd'
-- ----
COPY customers TO PROGRAM 'gzip > /tmp/x.gz'
-- ----
COPY customers FROM PROGRAM 'cat /etc/hosts'
-- ----
COPY (DELETE FROM t RETURNING *) TO STDOUT
-- ----
COPY public.t FROM STDIN WHERE id > 10
-- ----
DO $$ BEGIN DELETE FROM t; END $$
-- ----
DO LANGUAGE plpgsql $body$ BEGIN RAISE NOTICE 'x;y'; END $body$
-- ----
CALL app.reindex_all(1, 'x')
-- ----
PREPARE p (int) AS DELETE FROM t WHERE id = $1
-- ----
PREPARE q AS SELECT * FROM t WHERE id = $1
-- ----
EXECUTE q(1)
-- ----
DEALLOCATE ALL
-- ----
DECLARE c CURSOR WITH HOLD FOR SELECT * FROM t
-- ----
FETCH 10 FROM c
-- ----
SELECT * FROM t FOR UPDATE
-- ----
SELECT * FROM t JOIN u ON t.id = u.id FOR NO KEY UPDATE OF t SKIP LOCKED
-- ----
SELECT * FROM t FOR KEY SHARE NOWAIT
-- ----
SELECT * FROM (SELECT * FROM t FOR UPDATE) s
-- ----
SELECT nextval('seq'), currval('seq')
-- ----
SELECT pg_catalog.setval('s', 1, false)
-- ----
SELECT pg_read_file('/etc/passwd')
-- ----
SELECT lo_export(1234, '/tmp/x')
-- ----
SELECT * FROM dblink('dbname=x', 'select 1') AS t(a int)
-- ----
SELECT dblink_exec('drop table t')
-- ----
SELECT set_config('role', 'admin', false)
-- ----
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'x'
-- ----
SELECT lower(name), upper(name), coalesce(a, b), nullif(a, 0), greatest(1, 2), now(), count(*) FROM t GROUP BY 1, 2, 3, 4, 5, 6
-- ----
SELECT extract(year FROM ts), substring(s FROM 2 FOR 3), trim(both 'x' FROM s), position('a' IN s), overlay(s placing 'x' from 2 for 1) FROM t
-- ----
SELECT x::numeric(10,2), CAST(y AS varchar(3)), z::pg_catalog.int4, '1'::interval FROM t
-- ----
SELECT my_func(1)
-- ----
SELECT public.count(x) FROM t
-- ----
SELECT "MyFunc"(1) FROM "MySchema"."MyTable"
-- ----
SELECT * FROM generate_series(1, 10) g, unnest(ARRAY[1, 2]) WITH ORDINALITY AS u(x, n)
-- ----
SELECT * FROM ROWS FROM (generate_series(1, 3), unnest(ARRAY['a'])) AS r(a, b)
-- ----
SELECT * FROM t TABLESAMPLE bernoulli (10) REPEATABLE (42)
-- ----
SELECT a FROM t WHERE a IS DISTINCT FROM b AND b IS NOT DISTINCT FROM c
-- ----
SELECT a FROM t1 UNION ALL SELECT b FROM t2 INTERSECT SELECT c FROM t3 EXCEPT TABLE t4
-- ----
TABLE accounts
-- ----
VALUES (1, 'a'), (2, 'b')
-- ----
(SELECT 1 FROM a) UNION (SELECT 2 FROM b)
-- ----
SELECT * FROM a LEFT JOIN b ON a.id = b.id RIGHT JOIN c USING (id) CROSS JOIN d NATURAL JOIN e FULL OUTER JOIN f ON true
-- ----
SELECT * FROM (a JOIN b ON a.x = b.x) JOIN c ON c.y = a.y, LATERAL (SELECT * FROM d WHERE d.z = c.z) dd
-- ----
SELECT * FROM ONLY parent, child *
-- ----
SELECT (SELECT max(x) FROM inner_t) AS m, EXISTS (SELECT 1 FROM other WHERE other.id = t.id) FROM t
-- ----
SELECT * FROM t WHERE id IN (SELECT id FROM u) AND x = ANY (SELECT y FROM v)
-- ----
SELECT count(*) FILTER (WHERE a > 1), row_number() OVER (PARTITION BY b ORDER BY c), percentile_cont(0.5) WITHIN GROUP (ORDER BY d) FROM t
-- ----
SELECT a, b FROM t GROUP BY GROUPING SETS ((a), (b), ()), ROLLUP (a, b), CUBE (a)
-- ----
INSERT INTO audit.log (a, b) SELECT x, y FROM src WHERE y > 0
-- ----
INSERT INTO t AS x (id, v) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET v = excluded.v WHERE x.v < excluded.v RETURNING *
-- ----
INSERT INTO t DEFAULT VALUES
-- ----
INSERT INTO t OVERRIDING SYSTEM VALUE VALUES (1)
-- ----
INSERT INTO t WITH s AS (SELECT 1) SELECT * FROM s
-- ----
UPDATE ONLY accounts a SET balance = 0 FROM limits l WHERE l.id = a.id
-- ----
UPDATE t SET (a, b) = (SELECT x, y FROM u WHERE u.id = t.id)
-- ----
UPDATE t SET a = 1 WHERE CURRENT OF c
-- ----
DELETE FROM t USING u, v WHERE t.id = u.id AND u.x = v.x RETURNING t.*
-- ----
DELETE FROM customers
-- ----
MERGE INTO target t USING source s ON t.id = s.id WHEN MATCHED AND s.deleted THEN DELETE WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)
-- ----
MERGE INTO target USING (SELECT * FROM staging WHERE ok) AS s ON target.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE
-- ----
SELECT 'a\'; DELETE FROM t; --'
-- ----
SELECT E'\''; DELETE FROM t; --'
-- ----
SELECT E'\\'; DELETE FROM t
-- ----
SELECT 1 /* outer /* inner */ ; DELETE FROM t; */ ; SELECT 2
-- ----
SELECT 1; -- comment DELETE FROM t;
SELECT 2
-- ----
SELECT $a$ $$; DELETE FROM t; $$ $a$; SELECT $_1$x$_1$
-- ----
SELECT * FROM U&"d\0061t\+000061"
-- ----
SELECT * FROM U&"d!0061t!+000061" UESCAPE '!'
-- ----
SELECT U&'\0041', U&'!0041' UESCAPE '!', N'national', B'1010', X'FF', e'\x41\u0041'
-- ----
SELECT * FROM "Ünïcødé"."ТАБЛИЦА", ÜBER, "with ""quotes"""
-- ----
SELECT * FROM Sales.CUSTOMERS, "Sales"."CUSTOMERS"
-- ----
SELECT 'a'
'b', 'c' -- comment
'd'
-- ----
SELECT 0x1F, 0o17, 0b101, 1_000_000, 1.5e-3, .5, 1., 1.5E+10
-- ----
SELECT a->>'x', b @> c, d <@ e, f || g, h::text, i !~* 'x', j ~~ 'y', k -|- l, m @@ n FROM t
-- ----
SELECT a FROM t WHERE a=-1 AND b<>-2 AND c>=+3
-- ----
SELECT a[1:2], (b).c, d[3] FROM t
-- ----
BEGIN; INSERT INTO t VALUES (1); COMMIT
-- ----
START TRANSACTION ISOLATION LEVEL SERIALIZABLE; SAVEPOINT s; ROLLBACK TO SAVEPOINT s; RELEASE s; END
-- ----
SET search_path = public, pg_catalog; SET LOCAL work_mem = '1MB'; RESET ALL; SHOW work_mem
-- ----
SET ROLE admin; SET SESSION AUTHORIZATION DEFAULT; SET TRANSACTION READ ONLY; SET CONSTRAINTS ALL DEFERRED
-- ----
LISTEN ch; NOTIFY ch, 'x'; UNLISTEN *; DISCARD ALL
-- ----
VACUUM (VERBOSE, ANALYZE) t; ANALYZE t; CLUSTER t USING i; REINDEX TABLE t; CHECKPOINT
-- ----
LOCK TABLE a, b IN ACCESS EXCLUSIVE MODE NOWAIT
-- ----
TRUNCATE TABLE ONLY a, s.b RESTART IDENTITY CASCADE
-- ----
REFRESH MATERIALIZED VIEW CONCURRENTLY mv
-- ----
GRANT SELECT, UPDATE ON TABLE t TO bob WITH GRANT OPTION; REVOKE ALL ON SCHEMA s FROM alice; GRANT admin TO bob
-- ----
CREATE ROLE bob LOGIN PASSWORD 'x'; ALTER ROLE bob SUPERUSER; DROP ROLE bob
-- ----
ALTER DEFAULT PRIVILEGES IN SCHEMA s GRANT SELECT ON TABLES TO bob
-- ----
ALTER SYSTEM SET work_mem = '1GB'
-- ----
CREATE EXTENSION IF NOT EXISTS dblink; DROP EXTENSION dblink
-- ----
CREATE TABLE t (id int PRIMARY KEY, v varchar(10) DEFAULT 'x', n numeric(10, 2), ref int REFERENCES other (id) ON DELETE CASCADE, CHECK (n > 0))
-- ----
CREATE TABLE p (id int, d date) PARTITION BY RANGE (d)
-- ----
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')
-- ----
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t USING btree (lower(a)) INCLUDE (b) WHERE c > 0
-- ----
CREATE INDEX ON t (a)
-- ----
ALTER TABLE t ADD COLUMN c int DEFAULT 0, ALTER COLUMN d TYPE bigint USING d::bigint, ADD CONSTRAINT fk FOREIGN KEY (x) REFERENCES o (id)
-- ----
ALTER TABLE IF EXISTS ONLY t RENAME TO u
-- ----
DROP TABLE IF EXISTS a, s.b CASCADE; DROP VIEW v; DROP INDEX i; DROP FUNCTION f(int)
-- ----
CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ DELETE FROM t; SELECT 1 $$
-- ----
CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT 3
-- ----
CREATE PROCEDURE pr() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END
-- ----
CREATE VIEW v (a, b) AS SELECT x, nextval('s') FROM t
-- ----
CREATE OR REPLACE RECURSIVE VIEW rv (n) AS SELECT 1 UNION ALL SELECT n + 1 FROM rv WHERE n < 3
-- ----
CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO l VALUES (1); DELETE FROM m); SELECT 1
-- ----
CREATE TRIGGER tr BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION trg()
-- ----
CREATE POLICY p ON t USING (owner = current_user)
-- ----
CREATE SEQUENCE s START 1; ALTER SEQUENCE s RESTART; CREATE TYPE mood AS ENUM ('a', 'b'); CREATE DOMAIN d AS int CHECK (VALUE > 0)
-- ----
CREATE SCHEMA IF NOT EXISTS app AUTHORIZATION bob
-- ----
COMMENT ON TABLE t IS 'x'; SECURITY LABEL ON TABLE t IS 'y'
-- ----
SELECT * FROM t WHERE x = $1 AND y = $2::text
-- ----
SELECT 1;;;SELECT 2;
-- ----
SELECT ((((((((((((((((((((1))))))))))))))))))))
-- ----
SELECT json_build_object('a', 1), jsonb_agg(x) FROM t
-- ----
SELECT xmlelement(name foo, xmlattributes('x' AS bar)), xmlforest(a, b) FROM t
-- ----
SELECT current_date, current_timestamp, localtime, current_user, session_user, current_schema
-- ----
SELECT interval '1 day', timestamp '2020-01-01', date '2020-01-01' + 1
-- ----
SELECT CASE WHEN a THEN b ELSE c END, a BETWEEN 1 AND 2, a LIKE 'x%' ESCAPE '!' FROM t
-- ----
SELECT * FROM t ORDER BY a DESC NULLS LAST LIMIT 10 OFFSET 5
-- ----
SELECT * FROM t FETCH FIRST 5 ROWS WITH TIES
-- ----
SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b
-- ----
SELECT * FROM t WINDOW w AS (PARTITION BY a)
-- ----
SELECT t.* FROM t, s.u AS x(a, b)
-- ----
SELECT * FROM json_to_record('{"a":1}') AS x(a int, b text)
-- ----
SELECT a AT TIME ZONE 'UTC' FROM t
-- ----
SELECT * FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
-- ----
WITH x AS (SELECT 1) SELECT * FROM x, y
-- ----
WITH x AS (SELECT * FROM a) SELECT * FROM public.x
-- ----
SELECT * FROM t1 WHERE EXISTS (WITH y AS (DELETE FROM t2 RETURNING 1) SELECT 1 FROM y)
-- ----
SELECT a === b, c OPERATOR(pg_catalog.+) d FROM t
-- ----
SELECT a OPERATOR(app.+) b FROM t
-- ----
SELECT freeze(1), key(2)
-- ----
SELECT * FROM t WHERE a LIKE ('x' || b) AND (c, d) OVERLAPS (e, f) GROUP BY (a), ROLLUP (b)
-- ----
INSERT INTO t VALUES (1) ON CONFLICT (id) DO NOTHING
-- ----
SET session_authorization TO 'postgres'; SET LOCAL "Role" = 'admin'; SET SESSION ROLE admin
-- ----
CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS 'select 1'; SELECT pg_terminate_backend(1)
-- ----
SELECT 'a''b;'; SELECT "a""b;" FROM t; SELECT $$a$b;$$; SELECT $q$ $Q$; $q$; SELECT 2
-- ----
SELECT e'\\\';'; SELECT 1/*;*/; SELECT 2 --;
; SELECT 1/**/;/**/SELECT 3
-- ----
SELECT b'01', x'0F'; SELECT 1e3, 1.e3, .1e-3; SELECT a$1 FROM t; SELECT 1 AS "x;y"
-- ----
SELECT $1; SELECT N'x;'; SELECT E'\u0041;'; SELECT 1 +/*;*/ 2; SELECT 1 *-- c
2; SELECT U&"a;b"
-- ----
SELECT 'a'
'b;'; SELECT 2
-- ----
SELECT 1 -- trailing comment without newline; DELETE FROM t
-- ----
CALL version()
-- ----
SET LOCAL SESSION AUTHORIZATION regress_user
-- ----
SELECT set('t'), x FROM (VALUES (1)) v(x)
-- ----
MERGE INTO t USING (VALUES (1, 'a')) s(id, v) ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v
-- ----
SELECT DISTINCT ON (a) evil(b) FROM t
-- ----
CREATE MATERIALIZED VIEW mv2 AS SELECT evil() FROM src WITH NO DATA
-- ----
CREATE TABLE x2 AS WITH d AS (SELECT evil()) SELECT * FROM d WITH DATA
-- ----
COPY t FROM STDIN (FORMAT csv, FORCE_NULL (a), FORCE_NOT_NULL (b)) WHERE evil(a)
-- ----
ALTER FOREIGN DATA WRAPPER w RENAME TO w2
-- ----
SELECT * FROM current_date, localtimestamp(3) t, collation for ('x') c
-- ----
SELECT interval '1:2' minute to second(2) FROM t ORDER BY 1 FETCH FIRST (2) ROWS WITH TIES
-- ----
ALTER POLICY p ON rename TO someone
-- ----
UPDATE t * SET (a) = ROW(1) WHERE a = 2 * set(3)
