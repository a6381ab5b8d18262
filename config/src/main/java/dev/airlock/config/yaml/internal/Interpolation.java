package dev.airlock.config.yaml.internal;

import dev.airlock.config.yaml.SecretSource;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Expands {@code ${NAME}} (environment variable) and {@code ${file:/path}} (file content, trailing
 * line breaks removed; relative paths resolve against the config file's directory) in a string.
 * {@code $${} writes a literal {@code ${}. Error messages name the variable or file, never a value.
 */
public final class Interpolation {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** The expanded value and a value-free description of its source; or an error. */
    public record Result(String value, String source, String error) {
        static Result ok(String value, String source) {
            return new Result(value, source, null);
        }

        static Result error(String error) {
            return new Result(null, null, error);
        }

        public boolean isOk() {
            return error == null;
        }
    }

    private Interpolation() {
    }

    public static Result expand(String text, SecretSource secrets, Path baseDir) {
        StringBuilder out = new StringBuilder();
        List<String> references = new ArrayList<>();
        boolean literalText = false;
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                literalText = true;
                i += 3;
                continue;
            }
            if (!text.startsWith("${", i)) {
                out.append(text.charAt(i++));
                literalText = true;
                continue;
            }
            int end = text.indexOf('}', i + 2);
            if (end < 0) {
                return Result.error("unclosed '${' (expected: ${NAME} or ${file:/path}; write $${ for a literal ${)");
            }
            String ref = text.substring(i + 2, end);
            i = end + 1;
            if (ref.startsWith("file:")) {
                String file = ref.substring("file:".length()).strip();
                if (file.isEmpty()) {
                    return Result.error("'${file:}' names no file (expected: ${file:/path})");
                }
                Path path = baseDir.resolve(file).normalize();
                try {
                    out.append(stripTrailingLineBreaks(secrets.file(path)));
                } catch (NoSuchFileException e) {
                    return Result.error("secret file " + path + " does not exist");
                } catch (IOException e) {
                    return Result.error("cannot read secret file " + path + " (" + e.getClass().getSimpleName() + ")");
                }
                references.add("${file:" + file + "}");
            } else if (ENV_NAME.matcher(ref).matches()) {
                var value = secrets.env(ref);
                if (value.isEmpty()) {
                    return Result.error("environment variable " + ref + " is not set");
                }
                out.append(value.get());
                references.add("${" + ref + "}");
            } else {
                return Result.error("'${" + ref + "}' is not a valid reference (expected: ${NAME} or ${file:/path})");
            }
        }
        String source = references.isEmpty() ? "literal"
                : (literalText ? "mixed: " : "") + String.join(", ", references);
        return Result.ok(out.toString(), source);
    }

    private static String stripTrailingLineBreaks(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }
}
