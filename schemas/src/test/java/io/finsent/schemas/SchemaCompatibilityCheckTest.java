package io.finsent.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The checker itself: it must catch the changes that break old data, and pass the ones that don't. */
class SchemaCompatibilityCheckTest {

    private static final String RELEASED = """
            {"type": "record", "name": "Item", "namespace": "t", "fields": [
              {"name": "id", "type": "string"},
              {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}},
              {"name": "count", "type": "int"}
            ]}""";

    private static SchemaSet set(String schema) {
        return SchemaSet.fromSources(Map.of("Item.avsc", schema));
    }

    @Test
    void aNewFieldWithoutDefaultIsIncompatible() {
        String changed = RELEASED.replace("{\"name\": \"count\", \"type\": \"int\"}",
                "{\"name\": \"count\", \"type\": \"int\"}, {\"name\": \"owner\", \"type\": \"string\"}");

        assertThat(SchemaCompatibilityCheck.backward(set(RELEASED), set(changed)))
                .singleElement().asString().contains("Item").contains("owner");
    }

    @Test
    void aNarrowedTypeIsIncompatible() {
        String changed = RELEASED.replace("{\"name\": \"id\", \"type\": \"string\"}", "{\"name\": \"id\", \"type\": \"int\"}");

        assertThat(SchemaCompatibilityCheck.backward(set(RELEASED), set(changed))).isNotEmpty();
    }

    @Test
    void aRemovedEnumSymbolWithoutDefaultIsIncompatible() {
        String changed = RELEASED.replace("[\"A\", \"B\"]", "[\"A\"]");

        assertThat(SchemaCompatibilityCheck.backward(set(RELEASED), set(changed))).isNotEmpty();
    }

    @Test
    void aRemovedSchemaIsIncompatible() {
        SchemaSet current = SchemaSet.fromSources(Map.of("Other.avsc",
                "{\"type\": \"record\", \"name\": \"Other\", \"fields\": []}"));

        assertThat(SchemaCompatibilityCheck.backward(set(RELEASED), current))
                .singleElement().asString().contains("removed");
    }

    @Test
    void aNewFieldWithDefaultAndAWidenedTypeAreCompatible() {
        String changed = RELEASED
                .replace("{\"name\": \"count\", \"type\": \"int\"}",
                        "{\"name\": \"count\", \"type\": \"long\"}, {\"name\": \"owner\", \"type\": [\"null\", \"string\"], \"default\": null}")
                .replace("[\"A\", \"B\"]", "[\"A\", \"B\", \"C\"]");

        assertThat(SchemaCompatibilityCheck.backward(set(RELEASED), set(changed))).isEmpty();
    }

    @Test
    void typesDefinedInAnotherFileResolveInAnyOrder() {
        SchemaSet set = SchemaSet.fromSources(Map.of(
                "A.avsc", "{\"type\": \"record\", \"name\": \"Holder\", \"namespace\": \"t\", \"fields\": [{\"name\": \"k\", \"type\": \"t.Kind\"}]}",
                "B.avsc", "{\"type\": \"enum\", \"name\": \"Kind\", \"namespace\": \"t\", \"symbols\": [\"X\"]}"));

        assertThat(set.byName()).containsKeys("Holder", "Kind");
    }
}
