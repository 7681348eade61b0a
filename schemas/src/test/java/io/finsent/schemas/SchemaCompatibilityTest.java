package io.finsent.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The build fails when a schema change cannot read what the last released schemas wrote. */
class SchemaCompatibilityTest {

    @Test
    void currentSchemasReadTheLastReleasedVersion() throws IOException {
        Path released = lastReleased(Path.of("released"));
        SchemaSet current = SchemaSet.fromDirectory(Path.of("src/main/avro"));

        assertThat(SchemaCompatibilityCheck.backward(SchemaSet.fromDirectory(released), current))
                .as("schema changes must stay backward compatible with %s", released)
                .isEmpty();
    }

    @Test
    void everyCatalogueTopicHasASchema() {
        SchemaSet current = SchemaSet.fromDirectory(Path.of("src/main/avro"));

        assertThat(TopicCatalogue.load().topics())
                .allSatisfy(topic -> assertThat(current.byName()).containsKey(topic.value()));
    }

    /** Released versions are kept as released/v1, released/v2, ...; the highest number is the last. */
    static Path lastReleased(Path root) throws IOException {
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(p -> p.getFileName().toString().matches("v\\d+"))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(1))))
                    .orElseThrow(() -> new IllegalStateException("no released schema version under " + root));
        }
    }
}
