package io.finsent.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The Avro schemas of one version of the project, by record name. Schema files may refer to types
 * defined in other files of the same set (e.g. {@code SourceKind}), in any order.
 */
public final class SchemaSet {

    private final Map<String, Schema> byName;

    private SchemaSet(Map<String, Schema> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Parses every {@code *.avsc} file of a directory. */
    public static SchemaSet fromDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("schema directory " + dir + " does not exist");
        }
        Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
                sources.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schemas in " + dir, e);
        }
        return fromSources(sources);
    }

    /**
     * Parses schema texts keyed by file name. Files whose named types are defined in another file
     * are retried after it, so the order of the files does not matter.
     */
    public static SchemaSet fromSources(Map<String, String> sourcesByFile) {
        List<String> order = new ArrayList<>(new TreeMap<>(sourcesByFile).keySet());
        // A file that refers to a type defined later moves to the end and parsing starts over with a
        // fresh parser; n files settle within n * n attempts, else some type is really undefined.
        for (int attempt = 0; attempt <= order.size() * order.size(); attempt++) {
            Schema.Parser parser = new Schema.Parser();
            Map<String, Schema> parsed = new LinkedHashMap<>();
            String failedFile = null;
            RuntimeException failure = null;
            for (String file : order) {
                try {
                    Schema schema = parser.parse(sourcesByFile.get(file));
                    parsed.put(schema.getName(), schema);
                } catch (SchemaParseException | AvroTypeException e) {
                    failedFile = file;
                    failure = e;
                    break;
                }
            }
            if (failedFile == null) {
                return new SchemaSet(parsed);
            }
            if (attempt == order.size() * order.size()) {
                throw new SchemaParseException("cannot parse " + failedFile + ": " + failure.getMessage());
            }
            order.remove(failedFile);
            order.add(failedFile);
        }
        throw new AssertionError("unreachable");
    }

    /**
     * The released versions bundled in the schemas jar ({@code avro-released/v1/}, {@code v2/}, ...),
     * oldest first. Every schema is the value of a catalogue topic, so the catalogue names the files.
     */
    public static List<SchemaSet> releasedVersions() {
        List<SchemaSet> versions = new ArrayList<>();
        List<TopicCatalogue.TopicSpec> topics = TopicCatalogue.load().topics();
        for (int v = 1; ; v++) {
            Map<String, String> sources = new TreeMap<>();
            for (TopicCatalogue.TopicSpec topic : topics) {
                String file = "/avro-released/v" + v + "/" + topic.value() + ".avsc";
                try (InputStream in = SchemaSet.class.getResourceAsStream(file)) {
                    if (in != null) {
                        sources.put(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
            }
            if (sources.isEmpty()) {
                return versions;
            }
            versions.add(fromSources(sources));
        }
    }

    public Map<String, Schema> byName() {
        return byName;
    }

    public Schema get(String recordName) {
        Schema schema = byName.get(recordName);
        if (schema == null) {
            throw new IllegalArgumentException("no schema named " + recordName + "; known: " + byName.keySet());
        }
        return schema;
    }
}
