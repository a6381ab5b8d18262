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
     * Words that, followed by {@code (}, are syntax and never a function call: reserved keywords, type names
     * with modifiers, and unreserved words whose grammar puts a parenthesis after them.
     */
    static final Set<String> NOT_FUNCTION = words(
            // reserved
            "all analyse analyze and any array as asc asymmetric both case cast check collate column constraint",
            "create current_catalog current_date current_role current_time current_timestamp current_user default",
            "deferrable desc distinct do else end except false fetch for foreign from grant group having in",
            "initially intersect into lateral leading limit localtime localtimestamp not null offset on only or",
            "order placing primary references returning select session_user some symmetric system_user table then",
            "to trailing true union unique user using variadic when where window with",
            // reserved, may be function or type names in a few places but not as calls
            "authorization binary concurrently cross freeze full ilike inner is isnull join like natural notnull",
            "outer overlaps similar tablesample verbose",
            // column-name keywords that are not calls
            "between bigint bit boolean char character dec decimal exists float inout int integer interval",
            "national nchar none numeric out precision real row setof smallint time timestamp values varchar",
            "varying double",
            // unreserved words followed by a parenthesis in the grammar
            "by over filter within sets cube rollup repeatable include key options operator conflict columns set",
            "reset exclude also instead");

    /** Words after which, in DDL, a name followed by {@code (} is an object name, a signature or a type. */
    static final Set<String> DDL_NAME_INTRODUCERS = words(
            "table view index on references type domain function procedure routine aggregate statistics sequence",
            "exists only of using into collation configuration dictionary parser template method cast");

    /** Clause words that end a FROM list at the same nesting level. */
    static final Set<String> FROM_LIST_END = words(
            "where group having window order limit offset fetch for union intersect except returning set when",
            "then into values select");

    /** Functions whose argument syntax uses FROM without naming a table. */
    static final Set<String> FROM_IN_ARGUMENTS = words("extract substring trim overlay normalize substr");
}
