package dev.airlock.config.yaml;

import dev.airlock.config.yaml.internal.YamlTreeReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Parses YAML into a located {@link YamlNode} tree, reporting problems instead of throwing. */
public final class Yaml {

    private Yaml() {
    }

    /**
     * Reads and parses {@code file}; problems are named after {@code file} as given.
     *
     * @return the root node, or empty when the file could not be read or is not valid YAML (the
     *         reasons are in {@code problems})
     */
    public static Optional<YamlNode> parse(Path file, Problems problems) {
        String name = file.toString();
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            problems.add(new Location(name, 1, 1), "", "file not found");
            return Optional.empty();
        } catch (MalformedInputException e) {
            problems.add(new Location(name, 1, 1), "", "not valid UTF-8");
            return Optional.empty();
        } catch (IOException e) {
            problems.add(new Location(name, 1, 1), "", "cannot read: " + e.getClass().getSimpleName());
            return Optional.empty();
        }
        return parse(name, content, problems);
    }

    /** Parses {@code content}; problems are named after {@code fileName}. */
    public static Optional<YamlNode> parse(String fileName, String content, Problems problems) {
        return YamlTreeReader.read(fileName, content, problems);
    }
}
