package io.finsent.bench.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finsent.encoder.BatchOrder;
import io.finsent.encoder.Device;
import io.finsent.encoder.EncodeStats;
import io.finsent.encoder.EncodedBatch;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.encoder.ModelDirectory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.jboss.logging.Logger;

/**
 * Measures the encoder runtime on this machine, side by side in one run: the machine's own fp32 GEMM rate through ONNX
 * Runtime, sequences per second and GFLOP/s (FLOPs counted analytically from the graph's dimensions) over a batch-size
 * sweep, the fraction of the GEMM rate at the best batch, length-bucketed against arrival-order batches on a
 * mixed-length text set, batch 1, the real-token share and the tokenisation share of encoder time. Every time is the
 * best of several repetitions after a warm-up, since the machine is shared.
 */
public final class EncoderBenchmark {

    private static final Logger LOG = Logger.getLogger(EncoderBenchmark.class);
    private static final int WARM_UP_TEXTS = 64;

    /**
     * @param data JSONL file with a {@code headline} per line, or {@code null} for the synthetic mixed-length set
     * @param texts texts in the mixed set
     * @param repetitions timed repetitions per measurement (the best counts)
     * @param sweepLength token length of the sweep's sequences (capped at the model's window)
     * @param sweepTexts sequences per sweep point
     * @param batchSizes batch sizes of the sweep
     */
    public record Settings(
            Path model,
            Device device,
            int intraOpThreads,
            Path data,
            int texts,
            int repetitions,
            int sweepLength,
            int sweepTexts,
            List<Integer> batchSizes,
            Path int8Model) {

        public static Settings defaults(Path model) {
            return new Settings(model, Device.AUTO, EncoderOptions.DEFAULT_INTRA_OP_THREADS, null, 256, 3, 64, 64,
                    List.of(1, 2, 4, 8, 16, 32, 64), null);
        }

        /** A static int8 copy of the model, measured side by side with it on the mixed set (null: none). */
        public Settings withInt8Model(Path value) {
            return new Settings(model, device, intraOpThreads, data, texts, repetitions, sweepLength, sweepTexts, batchSizes, value);
        }

        public Settings withDevice(Device value) {
            return new Settings(model, value, intraOpThreads, data, texts, repetitions, sweepLength, sweepTexts,
                    batchSizes, int8Model);
        }

        public Settings withData(Path value) {
            return new Settings(model, device, intraOpThreads, value, texts, repetitions, sweepLength, sweepTexts,
                    batchSizes, int8Model);
        }

        public Settings withTexts(int value) {
            return new Settings(model, device, intraOpThreads, data, value, repetitions, sweepLength, sweepTexts,
                    batchSizes, int8Model);
        }

        public Settings withIntraOpThreads(int value) {
            return new Settings(model, device, value, data, texts, repetitions, sweepLength, sweepTexts, batchSizes, int8Model);
        }
    }

    private EncoderBenchmark() {
    }

    public static BenchmarkResult run(Settings settings) {
        ModelDirectory model = ModelDirectory.load(settings.model());
        double loadBefore = systemLoad();
        EncoderDimensions dimensions = EncoderDimensions.read(model.modelFile());
        EncoderOptions base = EncoderOptions.defaults().withDevice(settings.device())
                .withIntraOpThreads(settings.intraOpThreads());
        List<String> mixed = settings.data() == null
                ? SyntheticFinancialText.mixed(settings.texts(), 20_260_101L)
                : headlines(settings.data(), settings.texts());
        String textSet = settings.data() == null ? "synthetic mixed-length financial text" : settings.data().toString();

        String device;
        int sweepLength;
        List<String> uniform;
        try (Encoder encoder = Encoder.open(model, base)) {
            device = encoder.device().name().toLowerCase(Locale.ROOT);
            sweepLength = Math.min(settings.sweepLength(), model.config().windowLength());
            uniform = textsOfLength(encoder, settings.sweepTexts(), sweepLength);
        }

        int gemmRows = sweepLength * settings.batchSizes().get(settings.batchSizes().size() - 1);
        int h = dimensions.hidden();
        int i = dimensions.intermediate();
        // The model's own GEMM shapes, at the rows of the largest sweep call and at 1024 rows (a cache-resident size,
        // which a loaded machine favours), plus the classic 1024 cube; the best of all is the machine's rate.
        int[][] gemmShapes = {{gemmRows, h, i}, {gemmRows, i, h}, {gemmRows, h, h}, {1024, h, i}, {1024, i, h},
            {1024, 1024, 1024}};
        // The GEMM probe runs once in every round of the sweep, next to the encoder runs it is compared with: on a
        // shared machine a probe taken apart from them, under another load, would skew the fraction either way.
        List<List<GemmProbe.Rate>> probeRounds = new ArrayList<>();
        Runnable probeGemm = () -> probeRounds.add(probeGemm(gemmShapes, settings.intraOpThreads()));
        List<EncoderOptions> sweepOptions = new ArrayList<>();
        List<List<String>> sweepTexts = new ArrayList<>();
        for (int batchSize : settings.batchSizes()) {
            sweepOptions.add(base.withMaxBatchSize(batchSize).withTokenBudget(batchSize * sweepLength));
            sweepTexts.add(uniform);
        }
        Timed[] sweepRuns = interleaved(model, sweepOptions, sweepTexts, settings.repetitions(), probeGemm);
        List<BenchmarkResult.Point> sweep = new ArrayList<>();
        for (int p = 0; p < sweepRuns.length; p++) {
            Timed timed = sweepRuns[p];
            sweep.add(new BenchmarkResult.Point(settings.batchSizes().get(p), sweepLength,
                    timed.stats().windows() / timed.seconds(), flops(dimensions, timed.stats()) / timed.seconds() / 1e9));
        }
        BenchmarkResult.Point best = sweep.stream()
                .max((a, b) -> Double.compare(a.sequencesPerSecond(), b.sequencesPerSecond())).orElseThrow();
        List<GemmProbe.Rate> probes = new ArrayList<>();
        for (int s = 0; s < gemmShapes.length; s++) {
            int shape = s;
            probes.add(probeRounds.stream().map(round -> round.get(shape))
                    .max((a, b) -> Double.compare(a.gflops(), b.gflops())).orElseThrow());
        }
        GemmProbe.Rate gemm = probes.stream().max((a, b) -> Double.compare(a.gflops(), b.gflops())).orElseThrow();
        LOG.infof("GEMM rate %.1f GFLOP/s (%dx%dx%d)", gemm.gflops(), gemm.m(), gemm.k(), gemm.n());

        // The three batchings of the mixed set take turns, so that load from other processes on a shared machine
        // falls on all of them alike; the best round of each counts.
        Timed[] mixedRuns = interleaved(model, List.of(base, base.withBatchOrder(BatchOrder.ARRIVAL),
                base.withMaxBatchSize(1)), List.of(mixed, mixed, mixed), settings.repetitions(), () -> { });
        BenchmarkResult.Throughput bucketed = throughput(dimensions, mixed, mixedRuns[0]);
        BenchmarkResult.Throughput arrival = throughput(dimensions, mixed, mixedRuns[1]);
        BenchmarkResult.Throughput batchOne = throughput(dimensions, mixed, mixedRuns[2]);
        BenchmarkResult.Precision precision = precision(model, base, mixed, settings);
        double loadAfter = systemLoad();

        return new BenchmarkResult(model.config().name() + " " + model.config().version(), device,
                settings.intraOpThreads(), dimensions, textSet, mixed.size(), gemm, probes, sweep, best, bucketed,
                arrival, batchOne, Runtime.getRuntime().availableProcessors(), Math.max(loadBefore, loadAfter), precision);
    }

    /**
     * fp32 against the int8 copy on the same texts with the same options, taking turns round by round (best round each),
     * so the load of a shared machine falls on both alike; without an int8 model, fp32 alone.
     */
    private static BenchmarkResult.Precision precision(ModelDirectory fp32, EncoderOptions options, List<String> texts, Settings settings) {
        if (settings.int8Model() == null) {
            Timed[] one = interleaved(List.of(fp32), List.of(options), List.of(texts), settings.repetitions(), () -> { });
            return new BenchmarkResult.Precision(null, texts.size() / one[0].seconds(), null);
        }
        ModelDirectory int8 = ModelDirectory.load(settings.int8Model());
        Timed[] both = interleaved(List.of(fp32, int8), List.of(options, options), List.of(texts, texts), settings.repetitions(), () -> { });
        return new BenchmarkResult.Precision(int8.config().name() + " " + int8.config().version(), texts.size() / both[0].seconds(),
                texts.size() / both[1].seconds());
    }

    /** Runs the benchmark and prints its table, or one JSON object with {@code --json}. */
    public static void main(String[] args) {
        Path model = null;
        boolean json = false;
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        Device device = Device.AUTO;
        Path data = null;
        for (int a = 0; a < rest.size(); a++) {
            switch (rest.get(a)) {
                case "--json" -> json = true;
                case "--model" -> model = Path.of(rest.get(++a));
                case "--device" -> device = Device.parse(rest.get(++a));
                case "--data" -> data = Path.of(rest.get(++a));
                default -> throw new IllegalArgumentException("usage: EncoderBenchmark --model DIR [--device"
                        + " cpu|cuda|auto] [--data FILE] [--json]; unknown argument " + rest.get(a));
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("--model DIR is required (a model directory, docs/model-directory.md)");
        }
        BenchmarkResult result = run(Settings.defaults(model).withDevice(device).withData(data));
        System.out.println(json ? result.toJson() : result.toTable());
    }

    private record Timed(double seconds, EncodeStats stats) {
    }

    /** One measurement of each GEMM shape. */
    private static List<GemmProbe.Rate> probeGemm(int[][] shapes, int threads) {
        List<GemmProbe.Rate> rates = new ArrayList<>();
        for (int[] shape : shapes) {
            rates.add(GemmProbe.measure(shape[0], shape[1], shape[2], threads, 1, 0.5));
        }
        return rates;
    }

    /**
     * Best of {@code repetitions} rounds in which {@code eachRound} runs first, then each configuration runs its texts
     * once, in turn.
     */
    private static Timed[] interleaved(ModelDirectory model, List<EncoderOptions> options, List<List<String>> texts,
            int repetitions, Runnable eachRound) {
        return interleaved(options.stream().map(o -> model).toList(), options, texts, repetitions, eachRound);
    }

    /** The same with one model per configuration. */
    private static Timed[] interleaved(List<ModelDirectory> models, List<EncoderOptions> options, List<List<String>> texts,
            int repetitions, Runnable eachRound) {
        List<Encoder> encoders = new ArrayList<>();
        try {
            for (int c = 0; c < options.size(); c++) {
                encoders.add(Encoder.open(models.get(c), options.get(c)));
            }
            Timed[] best = new Timed[encoders.size()];
            for (int e = 0; e < encoders.size(); e++) {
                List<String> set = texts.get(e);
                encoders.get(e).encodeAll(set.subList(0, Math.min(set.size(), WARM_UP_TEXTS)));
            }
            for (int r = 0; r < repetitions; r++) {
                eachRound.run();
                for (int e = 0; e < encoders.size(); e++) {
                    long start = System.nanoTime();
                    EncodedBatch batch = encoders.get(e).encodeAll(texts.get(e));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (best[e] == null || seconds < best[e].seconds()) {
                        best[e] = new Timed(seconds, batch.stats());
                    }
                }
            }
            return best;
        } finally {
            encoders.forEach(Encoder::close);
        }
    }

    /** The system load average (runnable processes) over the last minute, or -1 where the OS does not tell. */
    private static double systemLoad() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static BenchmarkResult.Throughput throughput(EncoderDimensions dimensions, List<String> texts, Timed t) {
        EncodeStats stats = t.stats();
        return new BenchmarkResult.Throughput(texts.size() / t.seconds(), stats.windows() / t.seconds(),
                flops(dimensions, stats) / t.seconds() / 1e9, stats.realTokenShare(), stats.tokenizationShare(),
                stats.calls());
    }

    private static double flops(EncoderDimensions dimensions, EncodeStats stats) {
        return dimensions.flops(stats.paddedTokens(), stats.paddedSquaredTokens());
    }

    /**
     * {@code count} synthetic texts that each fill a window of exactly {@code paddedLength} padded tokens (real length
     * within the last padding step), so every sweep call runs full-length rows.
     */
    static List<String> textsOfLength(Encoder encoder, int count, int paddedLength) {
        int special = encoder.config().windowLength() - encoder.windows().capacity();
        int target = paddedLength - special;
        int floor = paddedLength - encoder.options().paddingMultiple() + 1 - special;
        Random random = new Random(7);
        List<String> texts = new ArrayList<>(count);
        while (texts.size() < count) {
            String[] words = SyntheticFinancialText.passage(random, 60).split(" ");
            int low = 1;
            int high = words.length;
            while (low < high) {
                int mid = (low + high + 1) / 2;
                if (tokens(encoder, words, mid) <= target) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            int tokens = tokens(encoder, words, low);
            if (tokens >= floor && tokens <= target) {
                texts.add(String.join(" ", Arrays.copyOf(words, low)));
            }
        }
        return texts;
    }

    private static int tokens(Encoder encoder, String[] words, int count) {
        return encoder.countTokens(List.of(String.join(" ", Arrays.copyOf(words, count))))[0];
    }

    private static List<String> headlines(Path file, int limit) {
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null && texts.size() < limit) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode headline = json.readTree(line).get("headline");
                if (headline == null || !headline.isTextual()) {
                    throw new IllegalArgumentException(file + " line " + number + " has no \"headline\" string;"
                            + " --data takes JSONL with a headline per line");
                }
                texts.add(headline.asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --data " + file + ": " + e.getMessage(), e);
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no headlines");
        }
        return texts;
    }
}
