package io.finsent.bench.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import io.finsent.encoder.Device;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.encoder.TestModelsAccess;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's inputs and report; its speed targets are checked by running it, never in unit tests. */
class EncoderBenchmarkTest {

    @Test
    void sweepTextsFillExactlyOnePaddedLength() {
        Path model = TestModelsAccess.ensureBaseEncoder();
        try (Encoder encoder = Encoder.open(model, EncoderOptions.defaults().withDevice(Device.CPU))) {
            List<String> texts = EncoderBenchmark.textsOfLength(encoder, 8, 64);

            assertThat(encoder.encodeAll(texts).stats().paddedTokens()).isEqualTo(8 * 64);
        }
    }

    @Test
    void mixedSetMixesHeadlinesSummariesAndArticlesReproducibly() {
        List<String> texts = SyntheticFinancialText.mixed(200, 1);

        assertThat(texts).isEqualTo(SyntheticFinancialText.mixed(200, 1));
        assertThat(texts.stream().mapToInt(String::length).min().orElseThrow()).isLessThan(120);
        assertThat(texts.stream().mapToInt(String::length).max().orElseThrow()).isGreaterThan(1500);
    }

    @Test
    void jsonCarriesTheKeysTheCliPromises() {
        BenchmarkResult.Point best = new BenchmarkResult.Point(32, 64, 40, 55);
        BenchmarkResult.Throughput bucketed = new BenchmarkResult.Throughput(30, 35, 45, 0.95, 0.01, 16);
        BenchmarkResult.Throughput arrival = new BenchmarkResult.Throughput(15, 17, 47, 0.42, 0.01, 5);
        BenchmarkResult result = new BenchmarkResult("m 1", "cpu", 2, new EncoderDimensions(6, 384, 1536), "synthetic",
                256, new GemmProbe.Rate(4096, 384, 1536, 80), List.of(), List.of(best), best, bucketed, arrival,
                bucketed, 2, 1.0, new BenchmarkResult.Precision("m-int8 1", 30, 81.0));

        assertThat(result.summary()).containsKeys("gemm_gflops", "best_seq_per_s", "gemm_fraction",
                "bucketing_speedup", "real_token_share", "tokenization_share", "fp32_per_s", "int8_per_s", "int8_speedup");
        assertThat(result.summary().get("int8_speedup")).isEqualTo(2.7);
        assertThat(result.toTable()).contains("int8 81.0 texts/s (m-int8 1): 2.70x (target >= 2.5x) met");
        BenchmarkResult alone = new BenchmarkResult("m 1", "cpu", 2, new EncoderDimensions(6, 384, 1536), "synthetic",
                256, new GemmProbe.Rate(4096, 384, 1536, 80), List.of(), List.of(best), best, bucketed, arrival,
                bucketed, 2, 1.0, new BenchmarkResult.Precision(null, 30, null));
        assertThat(alone.summary()).containsEntry("int8_per_s", null).containsEntry("int8_speedup", null).containsEntry("fp32_per_s", 30.0);
        assertThat(result.gemmFraction()).isEqualTo(55.0 / 80);
        assertThat(result.bucketingSpeedup()).isEqualTo(2.0);
        assertThat(result.toJson()).startsWith("{").contains("\"bucketing_speedup\":2.0");
        assertThat(result.toTable()).contains("bucketing speedup 2.00x");
    }
}
