package dev.airlock.policy.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The psql script reader that feeds PostgreSQL's regression scripts to the differential test. */
class PsqlScriptTest {

    private static List<String> sql(String script) {
        return PsqlScript.split(script).stream().filter(b -> b.skip() == null).map(PsqlScript.Buffer::sql).toList();
    }

    @Test
    void splitsAtSemicolonsOutsideQuotesCommentsAndParentheses() {
        assertThat(sql("SELECT ';' AS \"a;b\", $$;$$, $x$;$x$; -- ;\nSELECT (1;2);\n/* ; /* ; */ */ SELECT E'\\';'"))
                .containsExactly("SELECT ';' AS \"a;b\", $$;$$, $x$;$x$;", "-- ;\nSELECT (1;2);",
                        "/* ; /* ; */ */ SELECT E'\\';'");
    }

    @Test
    void keepsRoutineBodiesTogether() {
        assertThat(sql("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
                + "SELECT CASE WHEN true THEN 1 END; END; SELECT 2;"))
                .containsExactly("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
                        + "SELECT CASE WHEN true THEN 1 END; END;", "SELECT 2;");
    }

    @Test
    void handlesMetaCommands() {
        String script = "\\set x 1\n\\pset null '(null)'\nSELECT 1 \\gset\nSELECT 2 \\; SELECT 3;\n"
                + "SELECT $1 \\bind 'a' \\g\n\\d t\nSELECT 4\n\\r\nSELECT 5;\n\\g\n";
        assertThat(sql(script)).containsExactly("SELECT 1", "SELECT 2 ; SELECT 3;", "SELECT $1", "SELECT 5;");
    }

    @Test
    void skipsCopyData() {
        String script = "COPY t FROM stdin;\n1\t;DROP TABLE x;\n\\.\nSELECT 1;\n"
                + "\\copy t from stdin\n2\n\\.\nCOPY t TO stdout;\nSELECT 2;\n";
        assertThat(sql(script)).containsExactly("COPY t FROM stdin;", "SELECT 1;", "COPY t TO stdout;", "SELECT 2;");
    }

    @Test
    void leavesOutWhatPsqlWouldRewrite() {
        List<PsqlScript.Buffer> b = PsqlScript.split("\\getenv libdir PG_LIBDIR\nLOAD :'libdir';\n"
                + "SELECT :x, a[1:n] FROM t;\nSELECT :{?x};\nSELECT a::int, b[1:2];\n"
                + "SET standard_conforming_strings = off;\nSELECT '\\'';\nRESET standard_conforming_strings;\n"
                + "SELECT 'x';\n");
        assertThat(b).extracting(PsqlScript.Buffer::skip).containsExactly("psql variable :'libdir'",
                "psql variable :x", "psql variable test :{?x}", null, null,
                "standard_conforming_strings is off", "standard_conforming_strings is off", null);
        assertThat(b.get(3).sql()).isEqualTo("SELECT a::int, b[1:2];");
        assertThat(b.get(7).line()).isEqualTo(9);
    }
}
