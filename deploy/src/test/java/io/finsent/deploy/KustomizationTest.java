package io.finsent.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Every manifest parses, every kustomization resolves (overlays through the base), and broken ones are refused. */
class KustomizationTest {

    @Test
    void everyManifestAndDashboardParses() {
        List<Path> files = Stream.concat(Yaml.filesUnder(Yaml.K8S).stream(), Yaml.filesUnder(Yaml.OBSERVABILITY).stream()).toList();

        assertThat(files).hasSizeGreaterThan(15);
        assertThat(files).allSatisfy(file -> assertThat(Yaml.documents(file)).as(file.toString()).isNotEmpty());
    }

    @Test
    void everyKubernetesResourceHasAnApiVersionKindAndName() {
        List<JsonNode> resources = Yaml.filesUnder(Yaml.K8S).stream().flatMap(f -> Yaml.documents(f).stream()).toList();

        assertThat(resources).allSatisfy(r -> {
            assertThat(r.path("apiVersion").asText()).as(r.toString()).isNotBlank();
            assertThat(r.path("kind").asText()).as(r.toString()).isNotBlank();
            if (!r.path("kind").asText().equals("Kustomization")) {
                assertThat(r.at("/metadata/name").asText()).as(r.toString()).isNotBlank();
            }
        });
    }

    @Test
    void everyKustomizationBuildsAndNamesEachResourceOnce() throws IOException {
        List<Path> directories;
        try (Stream<Path> files = Files.walk(Yaml.K8S)) {
            directories = files.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).map(Path::getParent).toList();
        }

        assertThat(directories).hasSize(3);
        assertThat(directories).allSatisfy(directory -> {
            List<String> names = Kustomization.build(directory).stream()
                    .map(r -> r.path("kind").asText() + "/" + r.at("/metadata/name").asText()).toList();
            assertThat(names).as(directory.toString()).hasSizeGreaterThan(20).doesNotHaveDuplicates();
        });
    }

    @Test
    void patchesMergeContainersByNameAndOverlaysKeepTheBase() {
        ObjectNode scorer = Kustomization.find(Kustomization.build(Yaml.K8S.resolve("overlays/gpu")), "Deployment", "scorer");
        List<ObjectNode> containers = Kustomization.containersOf(scorer);

        assertThat(containers).hasSize(1);
        assertThat(containers.get(0).at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
        assertThat(containers.get(0).at("/readinessProbe/httpGet/path").asText()).as("kept from the base").isEqualTo("/q/health/ready");
        assertThat(scorer.at("/metadata/namespace").asText()).isEqualTo("finsent");
    }

    @Test
    void aMissingResourceIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), "resources:\n  - deployment.yaml\n");

        assertThatThrownBy(() -> Kustomization.build(dir)).hasMessageContaining("resource deployment.yaml does not exist");
    }

    @Test
    void aPatchOfAResourceThatDoesNotExistIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), "resources:\n  - cm.yaml\npatches:\n  - path: patch.yaml\n");
        Files.writeString(dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
        Files.writeString(dir.resolve("patch.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");

        assertThatThrownBy(() -> Kustomization.build(dir)).hasMessageContaining("patches ConfigMap/b, which no resource defines");
    }

    @Test
    void aFieldOutsideTheUnderstoodSubsetIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: []\ncommonLabels:\n  a: b\n");

        assertThatThrownBy(() -> Kustomization.build(dir)).hasMessageContaining("'commonLabels' is outside the Kustomize subset");
    }
}
