package io.finsent.bench.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The benchmark's own measuring instruments: the GEMM probe runs, and FLOPs come from the graph's real shapes. */
class GemmProbeTest {

    @Test
    void generatedMatMulModelRunsInOnnxRuntime() {
        GemmProbe.Rate rate = GemmProbe.measure(64, 32, 48, 1, 1, 0.01);

        assertThat(rate.gflops()).isPositive();
    }

    @Test
    void baseEncoderDimensionsAreReadFromItsWeights() {
        Path model = Path.of(System.getProperty("finsent.test-models.dir", "target/test-models"),
                "all-minilm-l6-v2-jar", "all-minilm-l6-v2.onnx");

        EncoderDimensions dimensions = EncoderDimensions.read(model);

        assertThat(dimensions).isEqualTo(new EncoderDimensions(6, 384, 1536));
        assertThat(dimensions.flopsPerSequence(128)).isEqualTo(6 * (2.0 * 128 * (4 * 384 * 384 + 2 * 384 * 1536)
                + 4.0 * 128 * 128 * 384));
    }
}
