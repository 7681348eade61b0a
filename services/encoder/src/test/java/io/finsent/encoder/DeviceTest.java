package io.finsent.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code auto} falls back to the CPU, {@code cuda} without CUDA is a typed error; GPU checks skip without a GPU. */
class DeviceTest {

    private static boolean cudaProvider() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    @Test
    void devicesParseFromConfigValues() {
        assertThat(Device.parse(" CUDA ")).isEqualTo(Device.CUDA);
        assertThatThrownBy(() -> Device.parse("tpu")).hasMessageContaining("cpu, cuda or auto");
    }

    @Test
    void autoRunsOnTheCpuWithoutCuda() {
        assumeFalse(cudaProvider(), "this ONNX Runtime build has CUDA");
        try (Encoder encoder = Encoder.open(TestModels.baseEncoder(), EncoderOptions.defaults())) {
            assertThat(encoder.device()).isEqualTo(Device.CPU);
        }
    }

    @Test
    void cudaWithoutCudaIsATypedErrorSayingWhatToDo() {
        assumeFalse(cudaProvider(), "this ONNX Runtime build has CUDA");
        assertThatThrownBy(() -> Encoder.open(TestModels.baseEncoder(),
                EncoderOptions.defaults().withDevice(Device.CUDA)))
                .isInstanceOf(DeviceUnavailableException.class)
                .hasMessageContaining("-Dgpu");
    }

    @Test
    void cudaAgreesWithTheCpuAndIsBatchInvariant() {
        assumeTrue(cudaProvider(), "no CUDA provider (CPU build of ONNX Runtime); build with -Dgpu on a GPU machine");
        Encoder probe;
        try {
            probe = Encoder.open(TestModels.baseEncoder(), EncoderOptions.defaults().withDevice(Device.CUDA));
        } catch (DeviceUnavailableException e) {
            assumeTrue(false, "CUDA provider present but unusable here: " + e.getMessage());
            return;
        }
        probe.close();
        List<String> texts = List.of("Shares slumped after the profit warning.", "Bond yields were little changed.",
                "market ".repeat(300));
        try (Encoder cpu = Encoder.open(TestModels.baseEncoder(), EncoderOptions.defaults().withDevice(Device.CPU));
                Encoder gpu = Encoder.open(TestModels.baseEncoder(),
                        EncoderOptions.defaults().withDevice(Device.CUDA))) {
            assertThat(gpu.device()).isEqualTo(Device.CUDA);
            List<EncoderResult> onCpu = cpu.encodeAll(texts).results();
            List<EncoderResult> onGpu = gpu.encodeAll(texts).results();
            for (int i = 0; i < texts.size(); i++) {
                float[] a = onCpu.get(i).embedding();
                float[] b = onGpu.get(i).embedding();
                for (int h = 0; h < a.length; h++) {
                    assertThat(b[h]).isCloseTo(a[h], org.assertj.core.data.Offset.offset(1e-3f));
                }
                assertThat(gpu.encode(texts.get(i)).embedding()).isEqualTo(b);
            }
        }
    }
}
