package io.finsent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Each image the build command makes runs as a non-root user, exposes its service's HTTP port and checks its health there. */
class DockerfilesTest {

    @Test
    void everyBuiltImageIsNonRootWithAHealthCheckOnItsPort() throws IOException {
        Map<String, String> built = ServiceImages.built();

        assertThat(built).hasSize(4);
        for (Map.Entry<String, String> image : built.entrySet()) {
            String dockerfile = Files.readString(Yaml.ROOT.resolve(image.getValue()));
            int port = ServiceConfiguration.of(ServiceImages.moduleOf(image.getValue())).httpPort();

            assertThat(dockerfile).as(image.getValue())
                    .containsPattern("(?m)^USER [1-9][0-9]*$")
                    .containsPattern("(?m)^EXPOSE " + port + "$")
                    .containsPattern("(?s)HEALTHCHECK .*http://127\\.0\\.0\\.1:" + port + "/q/health/ready")
                    // The comment at the top documents the same tag as the build command.
                    .contains("-t " + image.getKey() + " .");
        }
    }

    @Test
    void theCudaImageHasCuda12AndCudnn9() throws IOException {
        String dockerfile = Files.readString(Yaml.ROOT.resolve("deploy/scorer/Dockerfile.cuda"));

        assertThat(dockerfile).containsPattern("(?m)^FROM nvidia/cuda:12\\.[0-9.]+-cudnn-runtime-");
    }
}
