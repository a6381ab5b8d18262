package dev.airlock.policy.sql.internal;

import java.util.Set;

/** Word lists from PostgreSQL's {@code kwlist.h} and the grammar, as the analysis needs them. */
final class Keywords {

    private Keywords() {
    }

    private static Set<String> words(String... lines) {
        return Set.of(String.join(" ", lines).trim().split("\\s+"));
    }

    /** Every keyword (all categories). A word not in here is a plain identifier. */
    static final Set<String> ALL = words(
            "abort absent absolute access action add admin after aggregate all also alter always analyse analyze",
            "and any array as asc asensitive assertion assignment asymmetric at atomic attach attribute",
            "authorization backward before begin between bigint binary bit boolean both breadth by cache call",
            "called cascade cascaded case cast catalog chain char character characteristics check checkpoint",
            "class close cluster coalesce collate collation column columns comment comments commit committed",
            "compression concurrently conditional configuration conflict connection constraint constraints",
            "content continue conversion copy cost create cross csv cube current current_catalog current_date",
            "current_role current_schema current_time current_timestamp current_user cursor cycle data database",
            "day deallocate dec decimal declare default defaults deferrable deferred definer delete delimiter",
            "delimiters depends depth desc detach dictionary disable discard distinct do document domain double",
            "drop each else empty enable encoding encrypted end enum error escape event except exclude excluding",
            "exclusive execute exists explain expression extension external extract false family fetch filter",
            "finalize first float following for force foreign format forward freeze from full function functions",
            "generated global grant granted greatest group grouping groups handler having header hold hour",
            "identity if ilike immediate immutable implicit import in include including increment indent index",
            "indexes inherit inherits initially inline inner inout input insensitive insert instead int integer",
            "intersect interval into invoker is isnull isolation join json json_array json_arrayagg json_exists",
            "json_object json_objectagg json_query json_scalar json_serialize json_table json_value keep key keys",
            "label language large last lateral leading leakproof least left level like limit listen load local",
            "localtime localtimestamp location lock locked logged mapping match matched materialized maxvalue",
            "merge merge_action method minute minvalue mode month move name names national natural nchar nested",
            "new next nfc nfd nfkc nfkd no none normalize normalized not nothing notify notnull nowait null nullif",
            "nulls numeric object of off offset oids old omit on only operator option options or order ordinality",
            "others out outer over overlaps overlay overriding owned owner parallel parameter parser partial",
            "partition passing password path placing plan plans policy position preceding precision prepare",
            "prepared preserve primary prior privileges procedural procedure procedures program publication",
            "quote quotes range read real reassign recheck recursive ref references referencing refresh reindex",
            "relative release rename repeatable replace replica reset restart restrict return returning returns",
            "revoke right role rollback rollup routine routines row rows rule savepoint scalar schema schemas",
            "scroll search second security select sequence sequences serializable server session session_user",
            "set setof sets share show similar simple skip smallint snapshot some source sql stable standalone",
            "start statement statistics stdin stdout storage stored strict string strip subscription substring",
            "support symmetric sysid system system_user table tables tablesample tablespace target temp template",
            "temporary text then ties time timestamp to trailing transaction transform treat trigger trim true",
            "truncate trusted type types uescape unbounded uncommitted unconditional unencrypted union unique",
            "unknown unlisten unlogged until update user using vacuum valid validate validator value values",
            "varchar variadic varying verbose version view views volatile when where whitespace window with",
            "within without work wrapper write xml xmlattributes xmlconcat xmlelement xmlexists xmlforest",
            "xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable year yes zone");

    /**
     * Words that, followed by {@code (}, are syntax and never a function call: reserved keywords and
     * column-name keywords, which PostgreSQL does not accept as function names unquoted.
     */
    static final Set<String> NEVER_CALL = words(
            // reserved
            "all analyse analyze and any array as asc asymmetric both case cast check collate column constraint",
            "create current_catalog current_date current_role current_time current_timestamp current_user default",
            "deferrable desc distinct do else end except false fetch for foreign from grant group having in",
            "initially intersect into lateral leading limit localtime localtimestamp not null offset on only or",
            "order placing primary references returning select session_user some symmetric system_user table then",
            "to trailing true union unique user using variadic when where window with",
            // column-name keywords that are not calls
            "between bigint bit boolean char character dec decimal exists float inout int integer interval",
            "national nchar none numeric out precision real row setof smallint time timestamp values varchar",
            "xmlnamespaces");

    /** SQL value functions ({@code func_expr_common_subexpr}): keywords, never a table or a catalogue call. */
    static final Set<String> SQL_VALUE_FUNCTIONS = words("current_date current_time current_timestamp localtime",
            "localtimestamp current_role current_user session_user system_user user current_catalog current_schema");

    /**
     * Words that may name a function (type-function-name and unreserved keywords) but that the grammar also
     * puts before a parenthesis as syntax ({@code GROUP BY (}, {@code OVER (}, {@code x LIKE (},
     * {@code ON CONFLICT (} …): a call only where an expression starts.
     */
    static final Set<String> CALL_WHERE_EXPRESSION_STARTS = words(
            "authorization binary collation concurrently cross freeze full ilike inner is isnull join like natural",
            "notnull outer overlaps similar tablesample verbose left right",
            "by over filter within sets cube rollup repeatable include key options operator conflict columns set",
            "reset exclude also instead varying double");

    /** Keywords after which an expression (and so a function call) can start. */
    static final Set<String> EXPRESSION_START = words(
            "select where and or not on then else when by returning default having distinct all any some limit",
            "offset in between symmetric asymmetric case return do array values like ilike similar to escape from",
            "zone variadic call lateral only is");

    /** Operators PostgreSQL defines for its built-in types; any other is a user-defined function call. */
    static final Set<String> BUILTIN_OPERATORS = words(
            "+ - * / % ^ = <> != < > <= >= || ~ ~* !~ !~* ~~ ~~* !~~ !~~* @> <@ && ?| ?& ? -> ->> #> #>> #-",
            "@? @@ @@@ <-> << >> <<= >>= &< &> <<| |>> &<| |&> ~= @ # ## | & |/ ||/ ! !! -|- <^ >^ ?# ?-| ?||",
            "?- ~>~ ~<~ ~>=~ ~<=~ ^@ *= *<> *< *> *<= *>= :: .. := =>");

    /** Words after which, in DDL, a name followed by {@code (} is an object name, a signature or a type. */
    static final Set<String> DDL_NAME_INTRODUCERS = words(
            "table view index on references type domain function procedure routine aggregate statistics sequence",
            "exists only of into collation configuration dictionary parser template method cast");

    /** Index access methods: {@code USING gist (…)} names one, not a call. */
    static final Set<String> ACCESS_METHODS = words("btree hash gist gin spgist brin bloom rum ivfflat hnsw heap");

    /** Clause words that end a FROM list at the same nesting level. */
    static final Set<String> FROM_LIST_END = words(
            "where group having window order limit offset fetch for union intersect except returning set when",
            "then into values select");

    /** Functions whose argument syntax uses FROM without naming a table. */
    static final Set<String> FROM_IN_ARGUMENTS = words("extract substring trim overlay normalize substr");
}
