package io.finsent.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Reading the repository's YAML and JSON files, and where they are. */
final class Yaml {

    /** The repository root, seen from the deploy module (Maven's working directory). */
    static final Path ROOT = Path.of("..");
    static final Path K8S = ROOT.resolve("deploy/k8s");
    static final Path OBSERVABILITY = ROOT.resolve("deploy/observability");
    static final Path COMPOSE = ROOT.resolve("docker-compose.yml");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private Yaml() {
    }

    /** The one document of a YAML or JSON file. */
    static JsonNode read(Path file) {
        List<JsonNode> documents = documents(file);
        if (documents.size() != 1) {
            throw new IllegalArgumentException(file + " holds " + documents.size() + " documents, expected one");
        }
        return documents.get(0);
    }

    /** One YAML document given as text (tests' bad inputs). */
    static JsonNode parse(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + yaml, e);
        }
    }

    /** Every non-empty document of a YAML file (separated by ---), or the one of a JSON file. */
    static List<JsonNode> documents(Path file) {
        try {
            if (file.toString().endsWith(".json")) {
                return List.of(JSON.readTree(file.toFile()));
            }
            List<JsonNode> documents = new ArrayList<>();
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                while (it.hasNext()) {
                    JsonNode document = it.next();
                    if (document != null && !document.isNull() && !document.isMissingNode()) {
                        documents.add(document);
                    }
                }
            }
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /** Every .yaml, .yml and .json file under a directory. */
    static List<Path> filesUnder(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().matches(".*\\.(ya?ml|json)$"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }
}
