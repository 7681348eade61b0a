package io.finsent.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The topic catalogue ({@code schemas/topics.yaml}): every topic, its key, value schema and topic configs. */
public final class TopicCatalogue {

    /** One topic: name, what its key is, the Avro record of its values, partitions and topic-level configs. */
    public record TopicSpec(String name, String key, String value, int partitions, Map<String, String> configs) {
        public boolean compacted() {
            return "compact".equals(configs.get("cleanup.policy"));
        }
    }

    private static final String RESOURCE = "/topics.yaml";

    private final List<TopicSpec> topics;

    private TopicCatalogue(List<TopicSpec> topics) {
        this.topics = List.copyOf(topics);
    }

    /** The catalogue bundled in the schemas jar. */
    public static TopicCatalogue load() {
        try (InputStream in = TopicCatalogue.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath; is the schemas jar missing?");
            }
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    static TopicCatalogue parse(InputStream yaml) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        JsonNode list = root.path("topics");
        if (!list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException("topic catalogue has no 'topics' list");
        }
        java.util.ArrayList<TopicSpec> specs = new java.util.ArrayList<>();
        for (JsonNode node : list) {
            String name = required(node, "name");
            Map<String, String> configs = new LinkedHashMap<>();
            node.fields().forEachRemaining(field -> {
                if (field.getKey().contains(".")) {
                    configs.put(field.getKey(), field.getValue().asText());
                }
            });
            int partitions = node.path("partitions").asInt(0);
            if (partitions < 1) {
                throw new IllegalArgumentException("topic " + name + " needs 'partitions' >= 1");
            }
            specs.add(new TopicSpec(name, required(node, "key"), required(node, "value"), partitions, configs));
        }
        return new TopicCatalogue(specs);
    }

    private static String required(JsonNode node, String field) {
        String value = node.path(field).asText("");
        if (value.isBlank()) {
            throw new IllegalArgumentException("topic catalogue entry " + node + " lacks '" + field + "'");
        }
        return value;
    }

    public List<TopicSpec> topics() {
        return topics;
    }

    public TopicSpec topic(String name) {
        return topics.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("topic " + name + " is not in the catalogue"));
    }
}
