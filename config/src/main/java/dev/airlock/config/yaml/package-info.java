/**
 * Strict, located YAML binding: parse a file into a {@link dev.airlock.config.yaml.YamlNode} tree that
 * knows the file, line, column and path of every node, then bind it to records with a
 * {@link dev.airlock.config.yaml.Binder}, collecting every {@link dev.airlock.config.yaml.ConfigProblem}
 * (rendered {@code file:line:column: path: message}) instead of stopping at the first.
 *
 * <pre>{@code
 * record Rule(String id, Effect effect, Optional<String> approval, Duration timeout) {}
 *
 * Validated<List<Rule>> load(Path file) {
 *     Problems problems = new Problems();
 *     Binder b = Binder.forFile(file, problems);              // ${ENV} / ${file:…} and relative paths
 *     List<Rule> rules = Yaml.parse(file, problems).map(root -> {
 *         MappingReader doc = b.mapping(root);
 *         List<Rule> r = doc.optional("rules", b.listOf(b.object(m -> {
 *             String id = m.required("id", b.matching(ID, "a rule id ([a-z0-9][a-z0-9._-]*)"));
 *             Effect effect = m.required("effect", b.enumOf(Effect.class)); // 'alow' is not one of allow, deny, require_approval
 *             Optional<String> approval = m.optional("approval", b::string);
 *             Duration timeout = m.optional("timeout", b::duration, Duration.ofMinutes(15));
 *             if (effect == Effect.REQUIRE_APPROVAL && approval.isEmpty()) {
 *                 m.problem("missing required key 'approval' (effect is require_approval)");
 *             }
 *             return m.build(() -> new Rule(id, effect, approval, timeout)); // unknown keys reported here
 *         })), List.of());
 *         doc.finish();                                       // unknown top-level keys
 *         return r;
 *     }).orElse(List.of());
 *     UniqueNames ids = new UniqueNames("rule id", problems); // duplicates, across files if shared
 *     // ... ids.claim(rule.id(), node) while binding
 *     return Validated.of(rules, problems);                   // Valid(rules) or Invalid(every problem)
 * }
 * }</pre>
 *
 * <p>Converters ({@code b::string}, {@code b::port}, {@code b::duration}, {@code b.enumOf(..)},
 * {@code b::secret}, {@code b.listOf(..)}, {@code b.mapOf(..)}, {@code b.object(..)}) report into the
 * shared {@link dev.airlock.config.yaml.Problems} and return {@code null} on bad input; a record is only
 * built when nothing inside it was wrong. Secret values are wrapped in {@link dev.airlock.config.Secret}
 * and never appear in messages.
 */
package dev.airlock.config.yaml;
