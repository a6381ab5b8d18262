package dev.airlock.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BinderTest {

    enum Effect { ALLOW, DENY, REQUIRE_APPROVAL }

    record Rule(String id, Effect effect, Optional<String> approval, Duration timeout) {
        Rule {
            if (id.equals("forbidden")) {
                throw new IllegalArgumentException("id: forbidden (expected: anything else)");
            }
        }
    }

    private final Problems problems = new Problems();
    private final Binder b = new Binder(problems, SecretSource.of(Map.of("DB_PASSWORD", "hunter2")), Path.of("/etc/airlock"));

    private YamlNode parse(String yaml) {
        return Yaml.parse("policy.yaml", yaml, problems).orElseThrow();
    }

    private List<String> messages() {
        return problems.list().stream().map(ConfigProblem::toString).toList();
    }

    private List<Rule> rules(String yaml) {
        MappingReader doc = b.mapping(parse(yaml));
        List<Rule> rules = doc.optional("rules", b.listOf(b.object(m -> {
            String id = m.required("id", b.matching(Pattern.compile("[a-z0-9][a-z0-9._-]*"), "a rule id"));
            Effect effect = m.required("effect", b.enumOf(Effect.class));
            Optional<String> approval = m.optional("approval", b::string);
            Duration timeout = m.optional("timeout", b::duration, Duration.ofMinutes(15));
            return m.build(() -> new Rule(id, effect, approval, timeout));
        })), List.of());
        doc.finish();
        return rules;
    }

    @Test
    void bindsValidDocument() {
        List<Rule> rules = rules("""
                rules:
                  - id: a
                    effect: allow
                  - id: b
                    effect: require_approval
                    approval: dba
                    timeout: 2h
                """);
        assertThat(problems.isEmpty()).isTrue();
        assertThat(rules).containsExactly(
                new Rule("a", Effect.ALLOW, Optional.empty(), Duration.ofMinutes(15)),
                new Rule("b", Effect.REQUIRE_APPROVAL, Optional.of("dba"), Duration.ofHours(2)));
    }

    @Test
    void reportsBadEnumWithFileLineColumnAndPathInTheDocumentedFormat() {
        rules("""
                rules:
                  - id: a
                    effect: allow
                  - id: b
                    effect: deny
                  - id: c
                    effect: alow
                """);
        assertThat(messages()).containsExactly(
                "policy.yaml:7:13: rules[2].effect: 'alow' is not one of allow, deny, require_approval");
    }

    @Test
    void reportsEveryProblemInOnePass() {
        rules("""
                rules:
                  - id: Bad Id
                    effect: alow
                    timeout: 15 minutes
                  - efect: deny
                    extra: 1
                  - just a string
                colour: blue
                """);
        assertThat(messages()).containsExactly(
                "policy.yaml:2:9: rules[0].id: 'Bad Id' is not a rule id",
                "policy.yaml:3:13: rules[0].effect: 'alow' is not one of allow, deny, require_approval",
                "policy.yaml:4:14: rules[0].timeout: '15 minutes' is not a duration (expected: a whole number with a unit ms, s, m, h or d, e.g. 500ms, 30s, 15m, 2h, 1d)",
                "policy.yaml:5:5: rules[1]: missing required key 'id'",
                "policy.yaml:5:5: rules[1]: missing required key 'effect'",
                "policy.yaml:5:5: rules[1].efect: unknown key (did you mean 'effect'?)",
                "policy.yaml:6:5: rules[1].extra: unknown key (expected one of: id, effect, approval, timeout)",
                "policy.yaml:7:5: rules[2]: expected a mapping, got a string",
                "policy.yaml:8:1: colour: unknown key (expected one of: rules)");
    }

    @Test
    void compactConstructorCheckBecomesAProblem() {
        List<Rule> rules = rules("""
                rules:
                  - id: forbidden
                    effect: deny
                """);
        assertThat(rules).isEmpty();
        assertThat(messages()).containsExactly("policy.yaml:2:5: rules[0]: id: forbidden (expected: anything else)");
    }

    @Test
    void wrongTypesAreReported() {
        MappingReader m = b.mapping(parse("""
                port: abc
                count: [1]
                flag: "yes"
                name: {a: 1}
                list: scalar
                map: [x]
                nothing:
                big: 99999999999
                hex: 0x1F
                """));
        m.required("port", b::port);
        m.required("count", b::integer);
        m.required("flag", b::bool);
        m.required("name", b::string);
        m.required("list", b.listOf(b::string));
        m.required("map", b.mapOf(b::string));
        m.required("nothing", b::string);
        m.required("big", b::integer);
        m.required("hex", b::integer);
        assertThat(messages()).containsExactly(
                "policy.yaml:1:1: missing required key 'nothing'",
                "policy.yaml:1:7: port: expected an integer, got a string 'abc'",
                "policy.yaml:2:8: count: expected an integer, got a list",
                "policy.yaml:3:7: flag: expected true or false, got a string 'yes'",
                "policy.yaml:4:7: name: expected a string, got a mapping",
                "policy.yaml:5:7: list: expected a list, got a string",
                "policy.yaml:6:6: map: expected a mapping, got a list",
                "policy.yaml:8:6: big: 99999999999 is out of range (expected: -2147483648..2147483647)",
                "policy.yaml:9:6: hex: expected a decimal integer, got '0x1F'");
    }

    @Test
    void refusesYaml11BooleansAndOctalLookingIntegers() {
        MappingReader m = b.mapping(parse("a: yes\nb: off\nc: True\nd: 012\ne: 1_000\nf: 0\n"));
        assertThat(m.<Boolean>required("a", b::bool)).isNull();
        assertThat(m.<Boolean>required("b", b::bool)).isNull();
        assertThat(m.<Boolean>required("c", b::bool)).isTrue();
        assertThat(m.<Integer>required("d", b::integer)).isNull();
        assertThat(m.<Integer>required("e", b::integer)).isEqualTo(1000);
        assertThat(m.<Integer>required("f", b::integer)).isZero();
        assertThat(m.required("a", b::string)).isEqualTo("yes");
        assertThat(messages()).containsExactly(
                "policy.yaml:1:4: a: expected true or false, got a boolean 'yes'",
                "policy.yaml:2:4: b: expected true or false, got a boolean 'off'",
                "policy.yaml:4:4: d: expected a decimal integer, got '012'");
    }

    @Test
    void portsMustBeBetween1And65535() {
        MappingReader m = b.mapping(parse("a: 0\nb: 65536\nc: 1\nd: 65535\n"));
        assertThat(m.required("a", b::port)).isNull();
        assertThat(m.required("b", b::port)).isNull();
        assertThat(m.required("c", b::port)).isEqualTo(1);
        assertThat(m.required("d", b::port)).isEqualTo(65535);
        assertThat(messages()).containsExactly(
                "policy.yaml:1:4: a: 0 is not a valid port (expected: 1..65535)",
                "policy.yaml:2:4: b: 65536 is not a valid port (expected: 1..65535)");
    }

    @Test
    void parsesDurations() {
        assertThat(Binder.parseDuration("500ms")).contains(Duration.ofMillis(500));
        assertThat(Binder.parseDuration("30s")).contains(Duration.ofSeconds(30));
        assertThat(Binder.parseDuration("15m")).contains(Duration.ofMinutes(15));
        assertThat(Binder.parseDuration("2h")).contains(Duration.ofHours(2));
        assertThat(Binder.parseDuration("1d")).contains(Duration.ofDays(1));
        assertThat(Binder.parseDuration("1h30m")).contains(Duration.ofMinutes(90));
        assertThat(Binder.parseDuration("0s")).contains(Duration.ZERO);
        assertThat(Binder.parseDuration("15")).isEmpty();
        assertThat(Binder.parseDuration("-5s")).isEmpty();
        assertThat(Binder.parseDuration("1.5h")).isEmpty();
        assertThat(Binder.parseDuration("5 s")).isEmpty();
        assertThat(Binder.parseDuration("5S")).isEmpty();
        assertThat(Binder.parseDuration("")).isEmpty();
        assertThat(Binder.parseDuration("99999999999999999999d")).isEmpty();
        assertThat(Binder.formatDuration(Duration.ofSeconds(120))).isEqualTo("2m");
        assertThat(Binder.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void durationRangeIsChecked() {
        MappingReader m = b.mapping(parse("skew: 10m\n"));
        assertThat(m.required("skew", b.duration(Duration.ZERO, Duration.ofMinutes(5)))).isNull();
        assertThat(messages()).containsExactly("policy.yaml:1:7: skew: '10m' is out of range (expected: 0s..5m)");
    }

    @Test
    void integerRangeIsChecked() {
        MappingReader m = b.mapping(parse("quorum: 0\n"));
        assertThat(m.required("quorum", b.integer(1, Integer.MAX_VALUE))).isNull();
        assertThat(messages()).containsExactly("policy.yaml:1:9: quorum: 0 is out of range (expected: >= 1)");
    }

    @Test
    void listsMapsAndOneOrMany() {
        MappingReader m = b.mapping(parse("""
                groups: [a, b]
                one: a
                labels: {env: prod, tier: 1}
                """));
        assertThat(m.required("groups", b.listOf(b::string))).containsExactly("a", "b");
        assertThat(m.required("one", b.oneOrMany(b::string))).containsExactly("a");
        assertThat(m.required("labels", b.mapOf(b::string))).containsExactly(Map.entry("env", "prod"), Map.entry("tier", "1"));
        assertThat(m.finish()).isTrue();
    }

    @Test
    void explicitNullCountsAsAbsent() {
        MappingReader m = b.mapping(parse("timeout:\n"));
        assertThat(m.optional("timeout", b::duration, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(messages()).isEmpty();
        assertThat(m.finish()).isTrue();
    }

    @Test
    void quotedEmptyStringIsAString() {
        MappingReader m = b.mapping(parse("a: \"\"\n"));
        assertThat(m.required("a", b::nonBlank)).isNull();
        assertThat(messages()).containsExactly("policy.yaml:1:4: a: must not be empty");
    }

    @Test
    void knownKeysAreNotReportedAsUnknown() {
        MappingReader m = b.mapping(parse("approval: dba\n"));
        m.known("approval");
        assertThat(m.finish()).isTrue();
    }

    @Test
    void duplicateKeysAreReported() {
        Yaml.parse("policy.yaml", "a: 1\nb: 2\na: 3\n", problems);
        assertThat(messages()).containsExactly("policy.yaml:3:1: a: duplicate key (first defined at 1:1)");
    }

    @Test
    void syntaxErrorsAreLocatedAndDoNotEchoContent() {
        Optional<YamlNode> root = Yaml.parse("airlock.yaml", "a: 1\npassword: hunter2: x\n", problems);
        assertThat(root).isEmpty();
        assertThat(problems.list()).hasSize(1);
        ConfigProblem p = problems.list().get(0);
        assertThat(p.file()).isEqualTo("airlock.yaml");
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.toString()).startsWith("airlock.yaml:2:").contains("invalid YAML").doesNotContain("hunter2");
    }

    @Test
    void syntaxErrorsNameTheProblemAndItsContext() {
        Yaml.parse("a.yaml", "a:\n\tb: 1\n", problems);
        Yaml.parse("b.yaml", "? [a, b]\n: c\n", problems);
        Yaml.parse("c.yaml", "[".repeat(5000) + "]".repeat(5000), problems);
        assertThat(messages()).containsExactly(
                "a.yaml:2:1: invalid YAML: found character '\\t(TAB)' that cannot start any token."
                        + " (Do not use \\t(TAB) for indentation) (while scanning for the next token)",
                "b.yaml:1:4: invalid YAML: mapping keys must be plain values, not lists or mappings",
                "c.yaml:1:1: invalid YAML: Document nesting depth (1001) exceeds the maximum allowed"
                        + " (1000, from `StreamReadConstraints.getMaxNestingDepth()`)");
    }

    @Test
    void aliasesAndSecondDocumentsAreRejected() {
        Yaml.parse("a.yaml", "x: &v 1\ny: *v\n", problems);
        Yaml.parse("b.yaml", "x: 1\n---\ny: 2\n", problems);
        assertThat(messages()).hasSize(2);
        assertThat(messages().get(0)).startsWith("a.yaml:2:4: y: YAML aliases");
        assertThat(messages().get(1)).startsWith("b.yaml:").contains("second YAML document");
    }

    @Test
    void emptyDocumentIsAnEmptyMapping() {
        assertThat(Yaml.parse("a.yaml", "# nothing\n", problems)).get().isInstanceOf(YamlMapping.class);
        assertThat(problems.isEmpty()).isTrue();
    }

    @Test
    void oddKeysAreQuotedInPaths() {
        MappingReader m = b.mapping(parse("labels:\n  app.kubernetes.io/name: 0\n"));
        m.required("labels", b.mapOf(b::port));
        assertThat(messages()).containsExactly(
                "policy.yaml:2:27: labels[\"app.kubernetes.io/name\"]: 0 is not a valid port (expected: 1..65535)");
    }

    @Test
    void uniqueNamesReportsTheFirstDefinition() {
        YamlNode root = parse("names: [a, b, a]\n");
        UniqueNames names = new UniqueNames("connection name", problems);
        for (YamlNode n : ((YamlSequence) ((YamlMapping) root).get("names").orElseThrow()).items()) {
            names.claim(b.string(n), n);
        }
        assertThat(messages()).containsExactly(
                "policy.yaml:1:15: names[2]: duplicate connection name 'a' (first defined at 1:9)");
    }

    @Test
    void secretFromEnvironmentIsRedacted() {
        MappingReader m = b.mapping(parse("password: ${DB_PASSWORD}\n"));
        Secret s = m.required("password", b::secret);
        assertThat(s.reveal()).isEqualTo("hunter2");
        assertThat(s.toString()).isEqualTo("Secret[${DB_PASSWORD}]").doesNotContain("hunter2");
        assertThat(new Holder(s).toString()).doesNotContain("hunter2");
        assertThat(problems.isEmpty()).isTrue();
    }

    record Holder(Secret secret) {
    }

    @Test
    void missingEnvironmentVariableIsNamed() {
        MappingReader m = b.mapping(parse("password: ${NOPE}\n"));
        assertThat(m.required("password", b::secret)).isNull();
        assertThat(messages()).containsExactly("policy.yaml:1:11: password: environment variable NOPE is not set");
    }

    @Test
    void secretFromFileDropsTrailingNewlineAndResolvesRelativePaths(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pw"), "s3cret\n");
        Binder local = new Binder(problems, SecretSource.of(Map.of()), dir);
        MappingReader m = local.mapping(parse("a: ${file:pw}\nb: \"${file:" + dir.resolve("pw") + "}\"\nc: ${file:missing}\n"));
        assertThat(m.required("a", local::secret).reveal()).isEqualTo("s3cret");
        assertThat(m.required("b", local::secret).reveal()).isEqualTo("s3cret");
        assertThat(m.required("c", local::secret)).isNull();
        assertThat(messages()).containsExactly(
                "policy.yaml:3:4: c: secret file " + dir.resolve("missing") + " does not exist");
    }

    @Test
    void interpolationMixesLiteralTextAndEscapes() {
        MappingReader m = b.mapping(parse("""
                a: "postgres://u:${DB_PASSWORD}@h/db"
                b: "$${NOT_A_REF}"
                c: "${bad name}"
                d: "${DB_PASSWORD"
                e: [x]
                """));
        Secret a = m.required("a", b::secret);
        assertThat(a.reveal()).isEqualTo("postgres://u:hunter2@h/db");
        assertThat(a.toString()).doesNotContain("hunter2").doesNotContain("postgres");
        assertThat(m.required("b", b::secret).reveal()).isEqualTo("${NOT_A_REF}");
        m.required("c", b::secret);
        m.required("d", b::secret);
        m.required("e", b::secret);
        assertThat(messages()).containsExactly(
                "policy.yaml:3:4: c: '${bad name}' is not a valid reference (expected: ${NAME} or ${file:/path})",
                "policy.yaml:4:4: d: unclosed '${' (expected: ${NAME} or ${file:/path}; write $${ for a literal ${)",
                "policy.yaml:5:4: e: expected a secret (a string, ${NAME} or ${file:/path}), got a list");
    }

    @Test
    void secretEqualityIsByValue() {
        assertThat(Secret.of("x", "${A}")).isEqualTo(Secret.of("x")).hasSameHashCodeAs(Secret.of("x"));
        assertThat(Secret.of("x")).isNotEqualTo(Secret.of("y"));
    }

    @Test
    void suggestsCloseKeysOnly() {
        assertThat(Suggestions.closest("efect", List.of("effect", "id"))).contains("effect");
        assertThat(Suggestions.closest("Effect", List.of("effect"))).contains("effect");
        assertThat(Suggestions.closest("colour", List.of("rules"))).isEmpty();
        assertThat(Suggestions.closest("apporval", List.of("approval"))).contains("approval");
    }

    @Test
    void httpUrlsAndPaths() {
        MappingReader m = b.mapping(parse("a: https://slack.com/api\nb: ftp://x\nc: certs/tls.crt\n"));
        assertThat(m.required("a", b::httpUrl)).hasToString("https://slack.com/api");
        assertThat(m.required("b", b::httpUrl)).isNull();
        assertThat(m.required("c", b::path)).isEqualTo(Path.of("/etc/airlock/certs/tls.crt"));
        assertThat(messages()).containsExactly("policy.yaml:2:4: b: 'ftp://x' is not an absolute http(s) URL");
    }

    @Test
    void urlsWithCredentialsAreRejectedWithoutEchoingThem() {
        MappingReader m = b.mapping(parse("a: https://bob:hunter2@api.example.com/x\nb: ftp://bob:hunter2@x\n"));
        assertThat(m.required("a", b::httpUrl)).isNull();
        assertThat(m.required("b", b::httpUrl)).isNull();
        assertThat(messages()).containsExactly(
                "policy.yaml:1:4: a: 'https://***@api.example.com/x' must not contain user info; put credentials in a secret",
                "policy.yaml:2:4: b: 'ftp://***@x' must not contain user info; put credentials in a secret");
        assertThat(Binder.maskUserInfo("u:p@db:5432")).isEqualTo("***@db:5432");
        assertThat(Binder.maskUserInfo("db:5432")).isEqualTo("db:5432");
    }

    @Test
    void validatedMapsValidValuesOnly() {
        assertThat(Validated.valid(2).map(i -> i * 2)).isEqualTo(Validated.valid(4));
        Validated<Integer> invalid = Validated.invalid(List.of(new ConfigProblem("f", 1, 1, "", "bad")));
        assertThat(invalid.map(i -> i * 2).problems()).isEqualTo(invalid.problems());
    }

    @Test
    void validatedCarriesValueOrProblems() {
        assertThat(Validated.of("x", problems)).isEqualTo(Validated.valid("x"));
        problems.add(new Location("f", 1, 1), "", "bad");
        Validated<String> v = Validated.of("x", problems);
        assertThat(v.isValid()).isFalse();
        assertThat(v.problems()).extracting(ConfigProblem::toString).containsExactly("f:1:1: bad");
    }
}
