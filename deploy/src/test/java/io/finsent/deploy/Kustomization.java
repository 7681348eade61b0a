package io.finsent.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * What {@code kustomize build} would make of a directory, for the subset of Kustomize these manifests use:
 * {@code resources} (files, or directories with their own kustomization), strategic-merge {@code patches}
 * by file, {@code images} and {@code namespace}. Any other field is refused, so a manifest that outgrows the
 * subset fails the checks instead of being checked wrongly. No kustomize binary runs here.
 */
final class Kustomization {

    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace", "resources", "patches", "images");

    private Kustomization() {
    }

    /** The resources a kustomization directory builds to, patches and images applied. */
    static List<ObjectNode> build(Path directory) {
        Path file = directory.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(directory + " has no kustomization.yaml");
        }
        JsonNode kustomization = Yaml.read(file);
        kustomization.fieldNames().forEachRemaining(field -> {
            if (!SUPPORTED.contains(field)) {
                throw new IllegalArgumentException(file + ": field '" + field + "' is outside the Kustomize subset these checks understand");
            }
        });
        List<ObjectNode> resources = new ArrayList<>();
        for (JsonNode entry : kustomization.path("resources")) {
            Path resource = directory.resolve(entry.asText()).normalize();
            if (Files.isDirectory(resource)) {
                resources.addAll(build(resource));
            } else if (Files.isRegularFile(resource)) {
                Yaml.documents(resource).forEach(d -> resources.add((ObjectNode) d.deepCopy()));
            } else {
                throw new IllegalArgumentException(file + ": resource " + entry.asText() + " does not exist");
            }
        }
        for (JsonNode patch : kustomization.path("patches")) {
            Path patchFile = directory.resolve(patch.path("path").asText());
            if (!Files.isRegularFile(patchFile)) {
                throw new IllegalArgumentException(file + ": patch " + patch + " names no file");
            }
            for (JsonNode document : Yaml.documents(patchFile)) {
                merge(target(resources, document, patchFile), document);
            }
        }
        for (JsonNode image : kustomization.path("images")) {
            resources.forEach(r -> containersOf(r).forEach(c -> retag(c, image)));
        }
        if (kustomization.hasNonNull("namespace")) {
            resources.stream().filter(r -> !"Namespace".equals(r.path("kind").asText()))
                    .forEach(r -> ((ObjectNode) r.path("metadata")).put("namespace", kustomization.path("namespace").asText()));
        }
        return resources;
    }

    /** The resource of a kind and name, or an error. */
    static ObjectNode find(List<ObjectNode> resources, String kind, String name) {
        return resources.stream().filter(r -> kind.equals(r.path("kind").asText()) && name.equals(r.at("/metadata/name").asText()))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no " + kind + " named " + name));
    }

    static List<ObjectNode> ofKind(List<ObjectNode> resources, String kind) {
        return resources.stream().filter(r -> kind.equals(r.path("kind").asText())).toList();
    }

    /** The containers and init containers of a workload's pod template (none for other kinds). */
    static List<ObjectNode> containersOf(JsonNode resource) {
        List<ObjectNode> containers = new ArrayList<>();
        JsonNode pod = resource.at("/spec/template/spec");
        pod.path("initContainers").forEach(c -> containers.add((ObjectNode) c));
        pod.path("containers").forEach(c -> containers.add((ObjectNode) c));
        return containers;
    }

    private static ObjectNode target(List<ObjectNode> resources, JsonNode patch, Path patchFile) {
        String kind = patch.path("kind").asText();
        String name = patch.at("/metadata/name").asText();
        try {
            return find(resources, kind, name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(patchFile + " patches " + kind + "/" + name + ", which no resource defines", e);
        }
    }

    /** Kustomize's images transformer: an image named {@code name} gets the new name and tag. */
    private static void retag(ObjectNode container, JsonNode image) {
        String current = container.path("image").asText();
        int colon = current.lastIndexOf(':');
        String name = colon > current.lastIndexOf('/') && colon >= 0 ? current.substring(0, colon) : current;
        String tag = name.equals(current) ? "" : current.substring(colon + 1);
        if (name.equals(image.path("name").asText())) {
            container.put("image", image.path("newName").asText(name) + ":" + image.path("newTag").asText(tag));
        }
    }

    /** Strategic merge: maps merge key by key; lists of named objects (containers, env, volumes) merge by name. */
    static void merge(ObjectNode target, JsonNode patch) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode current = target.get(field.getKey());
            JsonNode value = field.getValue();
            if (current instanceof ObjectNode object && value.isObject()) {
                merge(object, value);
            } else if (current instanceof ArrayNode list && value.isArray() && named(value)) {
                mergeByName(list, (ArrayNode) value);
            } else {
                target.set(field.getKey(), value.deepCopy());
            }
        }
    }

    private static boolean named(JsonNode list) {
        for (JsonNode element : list) {
            if (!element.isObject() || !(element.get("name") instanceof TextNode)) {
                return false;
            }
        }
        return !list.isEmpty();
    }

    private static void mergeByName(ArrayNode target, ArrayNode patch) {
        for (JsonNode element : patch) {
            ObjectNode existing = null;
            for (JsonNode candidate : target) {
                if (candidate.path("name").equals(element.get("name"))) {
                    existing = (ObjectNode) candidate;
                }
            }
            if (existing == null) {
                target.add(element.deepCopy());
            } else {
                merge(existing, element);
            }
        }
    }
}
