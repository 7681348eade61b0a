package io.finsent.bench.encoder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one {@link EncoderBenchmark} run measured, side by side.
 *
 * @param gemm the machine's fp32 GEMM rate through ONNX Runtime (best probed shape)
 * @param gemmProbes every probed GEMM shape
 * @param sweep sequences of one length at growing batch sizes
 * @param best the sweep point with the most sequences per second
 * @param bucketed the mixed-length text set in length-bucketed batches (the runtime's default)
 * @param arrival the same texts in arrival-order batches padded to their longest (the baseline)
 * @param batchOne the same texts, one window per call
 * @param processors processors this JVM sees
 * @param loadAverage the highest one-minute system load average seen at the start and end of the run (other processes
 *     competing for the processors make every number lower; compare runs at similar load)
 */
public record BenchmarkResult(
        String model,
        String device,
        int intraOpThreads,
        EncoderDimensions dimensions,
        String textSet,
        int texts,
        GemmProbe.Rate gemm,
        List<GemmProbe.Rate> gemmProbes,
        List<Point> sweep,
        Point best,
        Throughput bucketed,
        Throughput arrival,
        Throughput batchOne,
        int processors,
        double loadAverage,
        Precision precision) {

    /**
     * The float model against its static int8 copy on the same mixed set, taking turns (best round each); {@code int8Model}
     * null when there was none to compare, then only {@code fp32PerSecond} is measured.
     */
    public record Precision(String int8Model, double fp32PerSecond, Double int8PerSecond) {

        public Double speedup() {
            return int8PerSecond == null ? null : int8PerSecond / fp32PerSecond;
        }
    }

    /** int8 against fp32 texts a second, on this machine's AVX-512 VNNI / AMX CPU. */
    public static final double TARGET_INT8_SPEEDUP = 2.5;

    /** Targets on the 2-core development machine. */
    public static final double TARGET_GEMM_FRACTION = 0.65;
    public static final double TARGET_BUCKETING_SPEEDUP = 1.6;
    public static final double TARGET_TOKENIZATION_SHARE = 0.05;

    /** One sweep point: {@code batchSize} sequences of {@code paddedLength} tokens per call. */
    public record Point(int batchSize, int paddedLength, double sequencesPerSecond, double gflops) {
    }

    /** Throughput of a text set under one batching. */
    public record Throughput(
            double textsPerSecond,
            double sequencesPerSecond,
            double gflops,
            double realTokenShare,
            double tokenizationShare,
            int calls) {
    }

    public double gemmFraction() {
        return best.gflops() / gemm.gflops();
    }

    public double bucketingSpeedup() {
        return bucketed.textsPerSecond() / arrival.textsPerSecond();
    }

    /** The keys the CLI's {@code --json} prints (snake_case, numbers rounded for reading). */
    public Map<String, Object> summary() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", model);
        json.put("device", device);
        json.put("intra_op_threads", intraOpThreads);
        json.put("processors", processors);
        json.put("load_average", round(loadAverage));
        json.put("layers", dimensions.layers());
        json.put("hidden", dimensions.hidden());
        json.put("intermediate", dimensions.intermediate());
        json.put("text_set", textSet);
        json.put("texts", texts);
        json.put("gemm_gflops", round(gemm.gflops()));
        json.put("gemm_shape", gemm.m() + "x" + gemm.k() + "x" + gemm.n());
        json.put("best_batch", best.batchSize());
        json.put("best_padded_length", best.paddedLength());
        json.put("best_seq_per_s", round(best.sequencesPerSecond()));
        json.put("best_gflops", round(best.gflops()));
        json.put("gemm_fraction", round(gemmFraction()));
        json.put("bucketed_texts_per_s", round(bucketed.textsPerSecond()));
        json.put("arrival_texts_per_s", round(arrival.textsPerSecond()));
        json.put("bucketing_speedup", round(bucketingSpeedup()));
        json.put("batch1_seq_per_s", round(batchOne.sequencesPerSecond()));
        json.put("batch1_texts_per_s", round(batchOne.textsPerSecond()));
        json.put("real_token_share", round(bucketed.realTokenShare()));
        json.put("arrival_real_token_share", round(arrival.realTokenShare()));
        json.put("tokenization_share", round(bucketed.tokenizationShare()));
        List<Map<String, Object>> points = new ArrayList<>();
        for (Point point : sweep) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("batch", point.batchSize());
            p.put("padded_length", point.paddedLength());
            p.put("seq_per_s", round(point.sequencesPerSecond()));
            p.put("gflops", round(point.gflops()));
            points.add(p);
        }
        json.put("sweep", points);
        json.put("fp32_per_s", round(precision.fp32PerSecond()));
        json.put("int8_model", precision.int8Model());
        json.put("int8_per_s", precision.int8PerSecond() == null ? null : round(precision.int8PerSecond()));
        json.put("int8_speedup", precision.speedup() == null ? null : round(precision.speedup()));
        return json;
    }

    public String toJson() {
        try {
            return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A human-readable report with each target and whether it was met. */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "encoder benchmark: %s on %s, %d intra-op threads, %d layers x %d hidden"
                + " x %d intermediate; %d texts (%s); %d processors, load average %.1f%n", model, device,
                intraOpThreads, dimensions.layers(), dimensions.hidden(), dimensions.intermediate(), texts, textSet,
                processors, loadAverage));
        for (GemmProbe.Rate rate : gemmProbes) {
            out.append(String.format(Locale.ROOT, "  GEMM probe %5d x %4d x %4d      %8.1f GFLOP/s%n", rate.m(),
                    rate.k(), rate.n(), rate.gflops()));
        }
        out.append(String.format(Locale.ROOT, "  %-6s %-8s %12s %10s %10s%n", "batch", "length", "seq/s", "GFLOP/s",
                "of GEMM"));
        for (Point point : sweep) {
            out.append(String.format(Locale.ROOT, "  %-6d %-8d %12.1f %10.1f %10.2f%s%n", point.batchSize(),
                    point.paddedLength(), point.sequencesPerSecond(), point.gflops(), point.gflops() / gemm.gflops(),
                    point == best ? "  <- best" : ""));
        }
        out.append(String.format(Locale.ROOT, "  %-22s %10s %10s %10s %10s %8s%n", "mixed set", "texts/s", "seq/s",
                "GFLOP/s", "real tok", "calls"));
        row(out, "length-bucketed", bucketed);
        row(out, "arrival order", arrival);
        row(out, "batch 1", batchOne);
        out.append(String.format(Locale.ROOT, "  gemm fraction at best batch %.2f (target >= %.2f) %s%s%n",
                gemmFraction(), TARGET_GEMM_FRACTION, verdict(gemmFraction() >= TARGET_GEMM_FRACTION),
                gemmFraction() > 1 ? " (above 1: load from other processes changed during the run; run again)" : ""));
        out.append(String.format(Locale.ROOT, "  bucketing speedup %.2fx (target >= %.1fx) %s%n", bucketingSpeedup(),
                TARGET_BUCKETING_SPEEDUP, verdict(bucketingSpeedup() >= TARGET_BUCKETING_SPEEDUP)));
        out.append(String.format(Locale.ROOT, "  tokenization share %.2f%% (target <= %.0f%%) %s%n",
                100 * bucketed.tokenizationShare(), 100 * TARGET_TOKENIZATION_SHARE,
                verdict(bucketed.tokenizationShare() <= TARGET_TOKENIZATION_SHARE)));
        if (precision.int8PerSecond() == null) {
            out.append(String.format(Locale.ROOT, "  fp32 %.1f texts/s; no int8 model to compare (--int8-model DIR)%n", precision.fp32PerSecond()));
        } else {
            out.append(String.format(Locale.ROOT, "  fp32 %.1f texts/s, int8 %.1f texts/s (%s): %.2fx (target >= %.1fx) %s%n",
                    precision.fp32PerSecond(), precision.int8PerSecond(), precision.int8Model(), precision.speedup(), TARGET_INT8_SPEEDUP,
                    verdict(precision.speedup() >= TARGET_INT8_SPEEDUP)));
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String name, Throughput t) {
        out.append(String.format(Locale.ROOT, "  %-22s %10.1f %10.1f %10.1f %10.2f %8d%n", name, t.textsPerSecond(),
                t.sequencesPerSecond(), t.gflops(), t.realTokenShare(), t.calls()));
    }

    private static String verdict(boolean met) {
        return met ? "met" : "MISSED";
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
