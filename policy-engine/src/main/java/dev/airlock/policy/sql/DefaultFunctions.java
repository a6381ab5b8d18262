package dev.airlock.policy.sql;

import java.util.LinkedHashMap;
import java.util.Map;

/** The built-in function catalogue. */
final class DefaultFunctions {

    private DefaultFunctions() {
    }

    private static final String PURE = String.join(" ",
            // aggregates and window functions
            "count sum avg min max array_agg string_agg json_agg jsonb_agg json_object_agg jsonb_object_agg",
            "bool_and bool_or every bit_and bit_or bit_xor stddev stddev_pop stddev_samp variance var_pop var_samp",
            "corr covar_pop covar_samp regr_slope regr_intercept regr_count regr_r2 xmlagg range_agg",
            "range_intersect_agg percentile_cont percentile_disc mode rank dense_rank percent_rank cume_dist",
            "row_number ntile lag lead first_value last_value nth_value grouping any_value",
            // conditionals and syntax-level functions
            "coalesce nullif greatest least extract overlay position substring trim treat normalize",
            "xmlconcat xmlelement xmlexists xmlforest xmlparse xmlpi xmlroot xmlserialize xmltable xmlattributes",
            "json json_array json_arrayagg json_object json_objectagg json_scalar json_serialize json_exists",
            "json_query json_value json_table is_json merge_action",
            // strings
            "lower upper initcap length char_length character_length octet_length bit_length ascii chr concat",
            "concat_ws format left right lpad rpad ltrim rtrim btrim replace repeat reverse split_part strpos",
            "substr starts_with string_to_array string_to_table array_to_string to_hex translate quote_ident",
            "quote_literal quote_nullable regexp_replace regexp_matches regexp_match regexp_split_to_table",
            "regexp_split_to_array regexp_count regexp_instr regexp_like regexp_substr md5 sha224 sha256 sha384",
            "sha512 encode decode convert convert_from convert_to to_ascii unistr casefold",
            // numbers
            "abs ceil ceiling floor round trunc sign mod power pow sqrt cbrt exp ln log log10 div pi degrees",
            "radians sin cos tan asin acos atan atan2 sinh cosh tanh width_bucket gcd lcm factorial scale",
            "min_scale trim_scale random random_normal",
            // dates and times
            "now current_timestamp clock_timestamp statement_timestamp transaction_timestamp timeofday",
            "date_trunc date_part date_bin age make_date make_time make_timestamp make_timestamptz",
            "make_interval justify_days justify_hours justify_interval isfinite to_char to_date to_timestamp",
            "to_number timezone",
            // arrays, json, ranges
            "array_length array_lower array_upper array_ndims array_dims array_position array_positions",
            "array_append array_prepend array_cat array_remove array_replace array_fill cardinality unnest",
            "generate_series generate_subscripts array_to_json row_to_json to_json to_jsonb json_build_object",
            "jsonb_build_object json_build_array jsonb_build_array json_array_elements jsonb_array_elements",
            "json_array_elements_text jsonb_array_elements_text json_each jsonb_each json_each_text",
            "jsonb_each_text json_object_keys jsonb_object_keys json_typeof jsonb_typeof jsonb_set",
            "jsonb_insert jsonb_pretty jsonb_strip_nulls json_strip_nulls jsonb_path_query",
            "jsonb_path_query_array jsonb_path_query_first jsonb_path_exists jsonb_path_match",
            "json_extract_path jsonb_extract_path json_extract_path_text jsonb_extract_path_text",
            "json_array_length jsonb_array_length json_populate_record jsonb_populate_record",
            "json_to_record jsonb_to_record json_to_recordset jsonb_to_recordset lower_inc upper_inc lower_inf",
            "upper_inf isempty range_merge int4range int8range numrange tsrange tstzrange daterange",
            // types used as functions
            "text int2 int4 int8 float4 float8 bool date timestamptz uuid jsonb inet cidr bytea regclass",
            "regproc regtype to_regclass to_regtype to_regproc",
            // identity and catalog information
            "version current_database current_schema current_schemas current_user session_user current_role",
            "current_catalog user pg_backend_pid inet_client_addr inet_client_port inet_server_addr",
            "inet_server_port current_setting pg_typeof format_type col_description obj_description",
            "shobj_description pg_get_viewdef pg_get_ruledef pg_get_indexdef pg_get_constraintdef",
            "pg_get_functiondef pg_get_function_arguments pg_get_function_result pg_get_expr",
            "pg_get_triggerdef pg_get_userbyid pg_get_serial_sequence pg_table_is_visible pg_type_is_visible",
            "pg_function_is_visible has_table_privilege has_column_privilege has_schema_privilege",
            "has_database_privilege has_function_privilege has_sequence_privilege pg_has_role",
            "pg_relation_size pg_table_size pg_indexes_size pg_total_relation_size pg_database_size",
            "pg_size_pretty pg_column_size pg_encoding_to_char pg_postmaster_start_time pg_is_in_recovery",
            "pg_current_wal_lsn txid_current txid_current_if_assigned pg_current_xact_id gen_random_uuid",
            "uuidv4 uuidv7 pg_sleep pg_input_is_valid pg_get_keywords",
            // more catalog reading, as pg_dump does it
            "acldefault pg_options_to_table pg_get_function_identity_arguments pg_get_function_arg_default",
            "pg_get_function_sqlbody pg_get_partkeydef pg_get_partition_constraintdef pg_get_statisticsobjdef",
            "pg_get_statisticsobjdef_columns pg_get_statisticsobjdef_expressions pg_get_replica_identity_index",
            // tablesample methods and grouping syntax
            "bernoulli system cube rollup",
            // what the grammar turns syntax into (TRIM, AT TIME ZONE, LIKE … ESCAPE, IS NORMALIZED …)
            "btrim timezone is_normalized pg_collation_for similar_to_escape like_escape overlaps system_user",
            "xmlexists");

    private static final Map<String, SqlKind> SIDE_EFFECTS = Map.ofEntries(
            Map.entry("nextval", SqlKind.WRITE),
            Map.entry("setval", SqlKind.WRITE),
            Map.entry("lo_create", SqlKind.WRITE),
            Map.entry("lo_creat", SqlKind.WRITE),
            Map.entry("lo_unlink", SqlKind.WRITE),
            Map.entry("lo_put", SqlKind.WRITE),
            Map.entry("lo_from_bytea", SqlKind.WRITE),
            Map.entry("lo_truncate", SqlKind.WRITE),
            Map.entry("lowrite", SqlKind.WRITE),
            Map.entry("pg_notify", SqlKind.WRITE),
            Map.entry("pg_logical_emit_message", SqlKind.WRITE),
            Map.entry("pg_advisory_lock", SqlKind.WRITE),
            Map.entry("pg_advisory_xact_lock", SqlKind.WRITE),
            Map.entry("pg_try_advisory_lock", SqlKind.WRITE),
            Map.entry("pg_try_advisory_xact_lock", SqlKind.WRITE),
            Map.entry("pg_advisory_unlock", SqlKind.WRITE),
            Map.entry("pg_advisory_unlock_all", SqlKind.WRITE),
            // can switch role or session authorization; the analyser lowers a call whose setting it can read to SESSION
            Map.entry("set_config", SqlKind.DCL),
            Map.entry("pg_read_file", SqlKind.EXPORT),
            Map.entry("pg_read_binary_file", SqlKind.EXPORT),
            Map.entry("pg_stat_file", SqlKind.EXPORT),
            Map.entry("pg_ls_dir", SqlKind.EXPORT),
            Map.entry("pg_ls_logdir", SqlKind.EXPORT),
            Map.entry("pg_ls_waldir", SqlKind.EXPORT),
            Map.entry("pg_ls_tmpdir", SqlKind.EXPORT),
            Map.entry("pg_ls_archive_statusdir", SqlKind.EXPORT),
            Map.entry("lo_export", SqlKind.EXPORT),
            Map.entry("lo_import", SqlKind.EXPORT),
            Map.entry("lo_get", SqlKind.READ),
            Map.entry("loread", SqlKind.READ),
            Map.entry("dblink*", SqlKind.SERVER_CODE),
            Map.entry("query_to_xml", SqlKind.SERVER_CODE),
            Map.entry("query_to_xmlschema", SqlKind.SERVER_CODE),
            Map.entry("query_to_xml_and_xmlschema", SqlKind.SERVER_CODE),
            Map.entry("cursor_to_xml", SqlKind.SERVER_CODE),
            Map.entry("pg_terminate_backend", SqlKind.ADMIN),
            Map.entry("pg_cancel_backend", SqlKind.ADMIN),
            Map.entry("pg_reload_conf", SqlKind.ADMIN),
            Map.entry("pg_rotate_logfile", SqlKind.ADMIN),
            Map.entry("pg_switch_wal", SqlKind.ADMIN),
            Map.entry("pg_create_restore_point", SqlKind.ADMIN),
            Map.entry("pg_backup_start", SqlKind.ADMIN),
            Map.entry("pg_backup_stop", SqlKind.ADMIN),
            Map.entry("pg_start_backup", SqlKind.ADMIN),
            Map.entry("pg_stop_backup", SqlKind.ADMIN),
            Map.entry("pg_promote", SqlKind.ADMIN),
            Map.entry("pg_wal_replay_pause", SqlKind.ADMIN),
            Map.entry("pg_wal_replay_resume", SqlKind.ADMIN),
            Map.entry("pg_create_logical_replication_slot", SqlKind.ADMIN),
            Map.entry("pg_create_physical_replication_slot", SqlKind.ADMIN),
            Map.entry("pg_drop_replication_slot", SqlKind.ADMIN),
            Map.entry("pg_replication_origin_*", SqlKind.ADMIN),
            Map.entry("pg_stat_reset*", SqlKind.ADMIN),
            Map.entry("pg_file_write", SqlKind.ADMIN),
            Map.entry("pg_file_rename", SqlKind.ADMIN),
            Map.entry("pg_file_unlink", SqlKind.ADMIN),
            Map.entry("pg_file_sync", SqlKind.ADMIN),
            Map.entry("pg_log_backend_memory_contexts", SqlKind.ADMIN),
            Map.entry("pg_import_system_collations", SqlKind.ADMIN));

    static final FunctionCatalogue CATALOGUE;

    static {
        Map<String, SqlKind> m = new LinkedHashMap<>();
        for (String f : PURE.split(" ")) {
            if (!f.isEmpty()) {
                m.put(f, SqlKind.READ);
            }
        }
        m.putAll(SIDE_EFFECTS);
        CATALOGUE = new FunctionCatalogue(m);
    }
}
