package dev.airlock.config.yaml;

import dev.airlock.config.Secret;
import dev.airlock.config.yaml.internal.Interpolation;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict binding of located YAML nodes to values. Every converter reports what is wrong (with the
 * node's file, line, column and path) into one {@link Problems} collector and returns {@code null}
 * instead of throwing, so one pass finds every error in a file. See the package documentation for an
 * example.
 */
public final class Binder {

    /** Decimal only: a leading zero would be octal in YAML 1.1 and decimal in YAML 1.2, so it is refused. */
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(0|[1-9][0-9_]*)");
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+)(ms|s|m|h|d)");
    private static final String DURATION_EXPECTED = "expected: a whole number with a unit ms, s, m, h or d, e.g. 500ms, 30s, 15m, 2h, 1d";

    private final Problems problems;
    private final SecretSource secrets;
    private final Path baseDir;

    /**
     * @param problems where problems go
     * @param secrets  where {@code ${NAME}} and {@code ${file:…}} are looked up
     * @param baseDir  directory that relative paths (and relative {@code ${file:…}}) resolve against,
     *                 normally the directory of the file being read
     */
    public Binder(Problems problems, SecretSource secrets, Path baseDir) {
        this.problems = Objects.requireNonNull(problems, "problems");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.baseDir = Objects.requireNonNull(baseDir, "baseDir").toAbsolutePath().normalize();
    }

    /** A binder for {@code file}: the process environment, paths relative to the file's directory. */
    public static Binder forFile(Path file, Problems problems) {
        return forFile(file, problems, SecretSource.system());
    }

    public static Binder forFile(Path file, Problems problems, SecretSource secrets) {
        Path parent = file.toAbsolutePath().normalize().getParent();
        return new Binder(problems, secrets, parent == null ? Path.of("").toAbsolutePath() : parent);
    }

    public Problems problems() {
        return problems;
    }

    public Path baseDir() {
        return baseDir;
    }

    /** Records a problem at {@code node}. */
    public void problem(YamlNode node, String message) {
        problems.add(node, message);
    }

    // ---------------------------------------------------------------- structure

    /**
     * A reader over the mapping {@code node}. When {@code node} is not a mapping this reports it and
     * returns a reader whose reads all come back empty and whose {@link MappingReader#build} returns null.
     */
    public MappingReader mapping(YamlNode node) {
        if (node instanceof YamlMapping m) {
            return new MappingReader(this, m);
        }
        problem(node, "expected a mapping, got " + describe(node));
        return new MappingReader(this, new YamlMapping(node.location(), node.path(), Map.of(), Map.of()));
    }

    /** A converter for an object read from a mapping, typically ending in {@link MappingReader#build}. */
    public <T> Converter<T> object(Function<MappingReader, T> reader) {
        return node -> {
            if (!(node instanceof YamlMapping)) {
                problem(node, "expected a mapping, got " + describe(node));
                return null;
            }
            return reader.apply(mapping(node));
        };
    }

    /** A list whose elements each go through {@code element}; invalid elements are left out. */
    public <T> Converter<List<T>> listOf(Converter<T> element) {
        return node -> {
            if (!(node instanceof YamlSequence seq)) {
                problem(node, "expected a list, got " + describe(node));
                return null;
            }
            return convertItems(seq, element);
        };
    }

    /** Like {@link #listOf} but a single value {@code x} also stands for {@code [x]}. */
    public <T> Converter<List<T>> oneOrMany(Converter<T> element) {
        return node -> {
            if (node instanceof YamlSequence seq) {
                return convertItems(seq, element);
            }
            T one = element.convert(node);
            return one == null ? null : List.of(one);
        };
    }

    /**
     * A mapping with free-form keys (labels, named profiles) whose values go through {@code value};
     * document order is kept, invalid values are left out.
     */
    public <T> Converter<Map<String, T>> mapOf(Converter<T> value) {
        return node -> {
            if (!(node instanceof YamlMapping m)) {
                problem(node, "expected a mapping, got " + describe(node));
                return null;
            }
            Map<String, T> out = new LinkedHashMap<>();
            m.entries().forEach((k, v) -> {
                T t = value.convert(v);
                if (t != null) {
                    out.put(k, t);
                }
            });
            return Collections.unmodifiableMap(out);
        };
    }

    private <T> List<T> convertItems(YamlSequence seq, Converter<T> element) {
        List<T> out = new ArrayList<>(seq.items().size());
        for (YamlNode item : seq.items()) {
            T t = element.convert(item);
            if (t != null) {
                out.add(t);
            }
        }
        return Collections.unmodifiableList(out);
    }

    // ---------------------------------------------------------------- scalars

    /** Any non-null scalar, as its text (numbers and booleans included, as written). */
    public String string(YamlNode node) {
        YamlScalar s = scalar(node, "a string");
        return s == null ? null : s.text();
    }

    /** A string with at least one non-blank character. */
    public String nonBlank(YamlNode node) {
        String s = string(node);
        if (s != null && s.isBlank()) {
            problem(node, "must not be empty");
            return null;
        }
        return s;
    }

    /** A string matching {@code pattern} in full; {@code expected} says what, e.g. {@code "a rule id ([a-z0-9][a-z0-9._-]*)"}. */
    public Converter<String> matching(Pattern pattern, String expected) {
        return node -> {
            String s = string(node);
            if (s != null && !pattern.matcher(s).matches()) {
                problem(node, "'" + s + "' is not " + expected);
                return null;
            }
            return s;
        };
    }

    /** A decimal integer that fits in an {@code int}. */
    public Integer integer(YamlNode node) {
        YamlScalar s = scalar(node, "an integer");
        if (s == null) {
            return null;
        }
        String text = s.text().replace("_", "");
        if (s.type() == YamlScalar.Type.INTEGER && !DECIMAL.matcher(s.text()).matches()) {
            problem(node, "expected a decimal integer, got '" + s.text() + "'");
            return null;
        }
        if (s.type() != YamlScalar.Type.INTEGER) {
            problem(node, "expected an integer, got " + describe(node)
                    + (s.type() == YamlScalar.Type.STRING ? " '" + s.text() + "'" : ""));
            return null;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            problem(node, s.text() + " is out of range (expected: " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + ")");
            return null;
        }
    }

    /** An integer in {@code [min, max]}. */
    public Converter<Integer> integer(int min, int max) {
        return node -> {
            Integer i = integer(node);
            if (i != null && (i < min || i > max)) {
                problem(node, i + " is out of range (expected: " + range(min, max) + ")");
                return null;
            }
            return i;
        };
    }

    /** A TCP port, 1..65535. */
    public Integer port(YamlNode node) {
        Integer i = integer(node);
        if (i != null && (i < 1 || i > 65535)) {
            problem(node, i + " is not a valid port (expected: 1..65535)");
            return null;
        }
        return i;
    }

    /** {@code true} or {@code false}. */
    public Boolean bool(YamlNode node) {
        YamlScalar s = scalar(node, "true or false");
        if (s == null) {
            return null;
        }
        String text = s.text().toLowerCase(Locale.ROOT);
        if (s.type() != YamlScalar.Type.BOOLEAN || !(text.equals("true") || text.equals("false"))) {
            // yes/no/on/off are booleans only in YAML 1.1; refuse them rather than guess.
            problem(node, "expected true or false, got " + describe(node) + " '" + s.text() + "'");
            return null;
        }
        return text.equals("true");
    }

    /** A duration such as {@code 500ms}, {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d} or {@code 1h30m}. */
    public Duration duration(YamlNode node) {
        YamlScalar s = scalar(node, "a duration");
        if (s == null) {
            return null;
        }
        Optional<Duration> d = parseDuration(s.text());
        if (d.isEmpty()) {
            problem(node, "'" + s.text() + "' is not a duration (" + DURATION_EXPECTED + ")");
            return null;
        }
        return d.get();
    }

    /** A duration in {@code [min, max]}. */
    public Converter<Duration> duration(Duration min, Duration max) {
        return node -> {
            Duration d = duration(node);
            if (d != null && (d.compareTo(min) < 0 || d.compareTo(max) > 0)) {
                problem(node, "'" + ((YamlScalar) node).text() + "' is out of range (expected: "
                        + formatDuration(min) + ".." + formatDuration(max) + ")");
                return null;
            }
            return d;
        };
    }

    /** Parses {@code 500ms}, {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d}, or a sequence like {@code 1h30m}. */
    public static Optional<Duration> parseDuration(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int at = 0;
        try {
            while (at < text.length()) {
                if (!m.find(at) || m.start() != at) {
                    return Optional.empty();
                }
                long n = Long.parseLong(m.group(1));
                Duration part = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                total = total.plus(part);
                at = m.end();
            }
        } catch (ArithmeticException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(total);
    }

    /** The YAML spelling of a duration: the largest whole unit ({@code 90s} → {@code 90s}, {@code 120s} → {@code 2m}). */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms != 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** An enum constant spelt in lower case ({@code REQUIRE_APPROVAL} ↔ {@code require_approval}). */
    public <E extends Enum<E>> Converter<E> enumOf(Class<E> type) {
        return enumOf(type, e -> e.name().toLowerCase(Locale.ROOT));
    }

    /**
     * An enum constant by its YAML spelling. A wrong value reads
     * {@code 'alow' is not one of allow, deny, require_approval}.
     */
    public <E extends Enum<E>> Converter<E> enumOf(Class<E> type, Function<E, String> yamlName) {
        Map<String, E> byName = new LinkedHashMap<>();
        for (E e : type.getEnumConstants()) {
            byName.put(yamlName.apply(e), e);
        }
        String allowed = String.join(", ", byName.keySet());
        return node -> {
            if (!(node instanceof YamlScalar s) || s.type() == YamlScalar.Type.NULL) {
                problem(node, "expected one of " + allowed + ", got " + describe(node));
                return null;
            }
            E e = byName.get(s.text());
            if (e == null) {
                problem(node, "'" + s.text() + "' is not one of " + allowed);
            }
            return e;
        };
    }

    /**
     * A secret: a string in which {@code ${NAME}} (environment variable) and {@code ${file:/path}}
     * (file content without trailing line breaks; relative to {@link #baseDir()}) are expanded, and
     * {@code $${} is a literal {@code ${}. A wrong type is reported without echoing the value.
     */
    public Secret secret(YamlNode node) {
        if (!(node instanceof YamlScalar s) || s.type() == YamlScalar.Type.NULL) {
            problem(node, "expected a secret (a string, ${NAME} or ${file:/path}), got " + describe(node));
            return null;
        }
        Interpolation.Result r = Interpolation.expand(s.text(), secrets, baseDir);
        if (!r.isOk()) {
            problem(node, r.error());
            return null;
        }
        return Secret.of(r.value(), r.source());
    }

    /**
     * A non-secret string with {@code ${NAME}} and {@code ${file:…}} expanded (host names, URLs chosen
     * per environment). Use {@link #secret} for anything confidential.
     */
    public String interpolated(YamlNode node) {
        Secret s = secret(node);
        return s == null ? null : s.reveal();
    }

    /**
     * {@code inner} applied to the scalar with {@code ${NAME}} and {@code ${file:…}} expanded, for
     * non-secret values that differ per environment (host names, URLs). The expanded text keeps the
     * node's location; non-string scalars and non-scalars go to {@code inner} unchanged.
     */
    public <T> Converter<T> expanded(Converter<T> inner) {
        return node -> {
            if (node instanceof YamlScalar s && s.type() == YamlScalar.Type.STRING && s.text().contains("${")) {
                Interpolation.Result r = Interpolation.expand(s.text(), secrets, baseDir);
                if (!r.isOk()) {
                    problem(node, r.error());
                    return null;
                }
                return inner.convert(new YamlScalar(s.location(), s.path(), r.value(), YamlScalar.Type.STRING));
            }
            return inner.convert(node);
        };
    }

    /** A file system path; relative paths resolve against {@link #baseDir()}. */
    public Path path(YamlNode node) {
        String s = nonBlank(node);
        if (s == null) {
            return null;
        }
        try {
            return baseDir.resolve(s).normalize();
        } catch (InvalidPathException e) {
            problem(node, "'" + s + "' is not a valid path");
            return null;
        }
    }

    /**
     * An absolute {@code http} or {@code https} URL with a host and without user info (credentials
     * belong in secrets, not URLs; a URL with user info is reported with the user info masked).
     */
    public URI httpUrl(YamlNode node) {
        String s = nonBlank(node);
        if (s == null) {
            return null;
        }
        try {
            URI uri = new URI(s);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getRawUserInfo() != null) {
                problem(node, "'" + maskUserInfo(s) + "' must not contain user info; put credentials in a secret");
                return null;
            }
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // fall through to the problem below
        }
        problem(node, "'" + maskUserInfo(s) + "' is not an absolute http(s) URL");
        return null;
    }

    /**
     * {@code scheme://***@host/…} for {@code scheme://user:password@host/…}, and {@code ***@host} for
     * {@code user:password@host}: for echoing addresses in messages without their credentials.
     */
    public static String maskUserInfo(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return address;
        }
        int scheme = address.indexOf("://");
        int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return address.substring(0, start) + "***" + address.substring(at);
    }

    // ---------------------------------------------------------------- helpers

    /** {@code a mapping}, {@code a list}, {@code null}, {@code a string}, ... for messages. */
    public static String describe(YamlNode node) {
        return node.describe();
    }

    private YamlScalar scalar(YamlNode node, String expected) {
        if (node instanceof YamlScalar s && s.type() != YamlScalar.Type.NULL) {
            return s;
        }
        problem(node, "expected " + expected + ", got " + describe(node));
        return null;
    }

    private static String range(int min, int max) {
        if (max == Integer.MAX_VALUE) {
            return ">= " + min;
        }
        return min + ".." + max;
    }
}
