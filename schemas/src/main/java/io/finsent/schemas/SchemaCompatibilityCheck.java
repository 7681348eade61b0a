package io.finsent.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Backward compatibility between the last released schemas and the current ones, by Avro's own
 * checker: every current schema must read what its released version wrote, so consumers can be
 * upgraded before producers and old records in a topic stay readable (a replay reads them).
 */
public final class SchemaCompatibilityCheck {

    /** One way in which a current schema breaks its released version. */
    public record Incompatibility(String schema, String problem) {
        @Override
        public String toString() {
            return schema + ": " + problem;
        }
    }

    private SchemaCompatibilityCheck() {
    }

    public static List<Incompatibility> backward(SchemaSet released, SchemaSet current) {
        List<Incompatibility> problems = new ArrayList<>();
        for (Map.Entry<String, Schema> entry : released.byName().entrySet()) {
            String name = entry.getKey();
            Schema reader = current.byName().get(name);
            if (reader == null) {
                problems.add(new Incompatibility(name, "removed; released data of this type could no longer be read"));
                continue;
            }
            SchemaCompatibilityResult result =
                    SchemaCompatibility.checkReaderWriterCompatibility(reader, entry.getValue()).getResult();
            if (result.getCompatibility() != SchemaCompatibilityType.COMPATIBLE) {
                for (SchemaCompatibility.Incompatibility incompatibility : result.getIncompatibilities()) {
                    problems.add(new Incompatibility(name, incompatibility.getType() + " at "
                            + incompatibility.getLocation() + ": " + incompatibility.getMessage()));
                }
            }
        }
        return problems;
    }
}
