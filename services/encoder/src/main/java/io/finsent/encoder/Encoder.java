package io.finsent.encoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;

/**
 * The encoder runtime: tokenizes texts, splits long ones into windows, runs them through ONNX Runtime in
 * token-budgeted, length-bucketed batches and returns one {@link EncoderResult} per text.
 *
 * <p>Determinism rule: with the default {@link BatchOrder#LENGTH_BUCKETED}, a text's result is bit-identical whether it
 * is encoded alone or in any batch, at any position, next to any neighbours (same model, options, ONNX Runtime version
 * and CPU). A window's padded length depends only on its own length and a call only holds windows of one padded length.
 *
 * <p>Thread-safe: calls may come from several threads.
 */
public final class Encoder implements AutoCloseable {

    private final ModelDirectory model;
    private final EncoderOptions options;
    private final TextTokenizer tokenizer;
    private final OnnxEncoderSession session;
    private final LongTextWindows windows;
    private final TokenBudgetBatcher batcher;
    private final long[] prefix;
    private final long[] suffix;
    private final int negative;
    private final int neutral;
    private final int positive;

    private Encoder(ModelDirectory model, EncoderOptions options, TextTokenizer tokenizer,
            OnnxEncoderSession session) {
        this.model = model;
        this.options = options;
        this.tokenizer = tokenizer;
        this.session = session;
        int windowLength = model.config().windowLength();
        this.windows = windowsFor(model, tokenizer, options);
        this.batcher = new TokenBudgetBatcher(options.tokenBudget(), options.maxBatchSize(), options.paddingMultiple(),
                windowLength);
        this.prefix = tokenizer.prefix();
        this.suffix = tokenizer.suffix();
        ModelConfig config = model.config();
        this.negative = config.classifies() ? config.labelIndex("negative") : -1;
        this.neutral = config.classifies() ? config.labelIndex("neutral") : -1;
        this.positive = config.classifies() ? config.labelIndex("positive") : -1;
    }

    /** Opens the model directory at {@code directory}; see {@code docs/model-directory.md}. */
    /** The shipped float model's directory name under {@code models/}. */
    public static final String FLOAT_MODEL = "finsent-sentiment";
    /** Its static int8 copy (issue 22): the default where this ONNX Runtime build has no CUDA provider. */
    public static final String INT8_MODEL = "finsent-sentiment-int8";

    /**
     * The default model under {@code modelsDir}: on a CPU-only ONNX Runtime build the static int8 copy where it exists (as
     * accurate on FPB, bit-identical in any batch, 1.5x the texts a second on an AVX-512 VNNI CPU), else, and on a
     * CUDA build, the float model.
     */
    public static Path defaultModel(Path modelsDir) {
        Path int8 = modelsDir.resolve(INT8_MODEL);
        boolean cuda = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        return !cuda && Files.isRegularFile(int8.resolve(ModelDirectory.MODEL_FILE)) ? int8 : modelsDir.resolve(FLOAT_MODEL);
    }

    public static Encoder open(Path directory, EncoderOptions options) {
        return open(ModelDirectory.load(directory), options);
    }

    public static Encoder open(ModelDirectory model, EncoderOptions options) {
        TextTokenizer tokenizer = TextTokenizer.open(model.tokenizerFile());
        try {
            windowsFor(model, tokenizer, options);
            return new Encoder(model, options, tokenizer, OnnxEncoderSession.open(model, options));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return model.config();
    }

    public EncoderOptions options() {
        return options;
    }

    /** The device the model runs on ({@link Device#CPU} or {@link Device#CUDA}). */
    public Device device() {
        return session.device();
    }

    /** How long texts are split (window capacity and stride in tokens). */
    public LongTextWindows windows() {
        return windows;
    }

    /**
     * Tokens of each text (special tokens excluded), as {@link EncoderResult#tokens()} will report them: for callers
     * that fill batches by a token budget before encoding.
     */
    public int[] countTokens(List<String> texts) {
        requireTexts(texts);
        long[][] ids = tokenizer.tokenize(texts);
        int[] counts = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            counts[i] = ids[i].length;
        }
        return counts;
    }

    public EncoderResult encode(String text) {
        return encodeAll(Collections.singletonList(text)).results().get(0);
    }

    /** Encodes {@code texts}; results come back in input order. */
    public EncodedBatch encodeAll(List<String> texts) {
        requireTexts(texts);
        long started = System.nanoTime();
        long[][] tokens = tokenizer.tokenize(texts);
        long tokenized = System.nanoTime();

        List<LongTextWindows.Plan> plans = new ArrayList<>(tokens.length);
        List<long[]> sequences = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (long[] ids : tokens) {
            LongTextWindows.Plan plan = windows.plan(ids.length);
            plans.add(plan);
            for (LongTextWindows.Span span : plan.spans()) {
                sequences.add(wrap(ids, span));
                weights.add(Math.max(1, span.length()));
            }
        }
        int[] lengths = sequences.stream().mapToInt(s -> s.length).toArray();
        List<TokenBudgetBatcher.Batch> batches = options.batchOrder() == BatchOrder.ARRIVAL
                ? batcher.arrival(lengths) : batcher.bucketed(lengths);

        float[][] logits = new float[sequences.size()][];
        float[][] embeddings = new float[sequences.size()][];
        long realTokens = 0;
        long paddedTokens = 0;
        long paddedSquaredTokens = 0;
        for (TokenBudgetBatcher.Batch batch : batches) {
            long[][] rows = new long[batch.rows()][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = sequences.get(batch.members()[r]);
                realTokens += rows[r].length;
            }
            paddedTokens += batch.paddedTokens();
            paddedSquaredTokens += batch.paddedTokens() * batch.paddedLength();
            OnnxEncoderSession.Output output = session.run(rows, batch.paddedLength(), tokenizer.padId());
            for (int r = 0; r < rows.length; r++) {
                int window = batch.members()[r];
                embeddings[window] = output.embeddings()[r];
                logits[window] = output.logits() == null ? null : output.logits()[r];
            }
        }

        List<EncoderResult> results = new ArrayList<>(plans.size());
        int window = 0;
        for (LongTextWindows.Plan plan : plans) {
            int count = plan.spans().size();
            results.add(combine(plan, logits, embeddings, weights, window, count));
            window += count;
        }
        long finished = System.nanoTime();
        EncodeStats stats = new EncodeStats(texts.size(), sequences.size(), realTokens, paddedTokens,
                paddedSquaredTokens, batches.size(), tokenized - started, finished - tokenized);
        return new EncodedBatch(results, stats);
    }

    @Override
    public void close() {
        try {
            session.close();
        } finally {
            tokenizer.close();
        }
    }

    private static void requireTexts(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("text " + i + " of " + texts.size() + " is null; pass \"\" for an"
                        + " empty text");
            }
        }
    }

    private long[] wrap(long[] ids, LongTextWindows.Span span) {
        long[] sequence = new long[prefix.length + span.length() + suffix.length];
        System.arraycopy(prefix, 0, sequence, 0, prefix.length);
        System.arraycopy(ids, span.start(), sequence, prefix.length, span.length());
        System.arraycopy(suffix, 0, sequence, prefix.length + span.length(), suffix.length);
        return sequence;
    }

    /** Token-weighted mean over a text's windows, summed in window order so the result is reproducible. */
    private EncoderResult combine(LongTextWindows.Plan plan, float[][] logits, float[][] embeddings,
            List<Integer> weights, int first, int count) {
        int hidden = embeddings[first].length;
        float[] embedding;
        if (count == 1) {
            embedding = embeddings[first].clone();
        } else {
            double[] sum = new double[hidden];
            double total = 0;
            for (int w = first; w < first + count; w++) {
                double weight = weights.get(w);
                total += weight;
                for (int h = 0; h < hidden; h++) {
                    sum[h] += weight * embeddings[w][h];
                }
            }
            embedding = new float[hidden];
            for (int h = 0; h < hidden; h++) {
                embedding[h] = (float) (sum[h] / total);
            }
        }
        Sentiment sentiment = logits[first] == null ? null : sentiment(logits, weights, first, count);
        return new EncoderResult(sentiment, embedding, count, plan.tokens(), plan.capped());
    }

    private Sentiment sentiment(float[][] logits, List<Integer> weights, int first, int count) {
        int classes = logits[first].length;
        double[] mean = new double[classes];
        double total = 0;
        double mostNegative = 0;
        for (int w = first; w < first + count; w++) {
            double[] probabilities = softmax(logits[w]);
            double weight = weights.get(w);
            total += weight;
            for (int c = 0; c < classes; c++) {
                mean[c] += weight * probabilities[c];
            }
            mostNegative = Math.max(mostNegative, probabilities[negative]);
        }
        int best = 0;
        for (int c = 0; c < classes; c++) {
            mean[c] /= total;
            if (mean[c] > mean[best]) {
                best = c;
            }
        }
        return new Sentiment(model.config().labels().get(best), mean[negative], mean[neutral], mean[positive],
                mean[positive] - mean[negative], count == 1 ? mean[negative] : mostNegative);
    }

    /** Softmax in double with {@link StrictMath}, so probabilities do not depend on the JVM's intrinsics. */
    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double[] out = new double[logits.length];
        double sum = 0;
        for (int c = 0; c < logits.length; c++) {
            out[c] = StrictMath.exp(logits[c] - max);
            sum += out[c];
        }
        for (int c = 0; c < logits.length; c++) {
            out[c] /= sum;
        }
        return out;
    }

    private static LongTextWindows windowsFor(ModelDirectory model, TextTokenizer tokenizer, EncoderOptions options) {
        try {
            return new LongTextWindows(model.config().windowLength(), tokenizer.specialTokenCount(),
                    options.windowStride(), options.maxWindowsPerText());
        } catch (IllegalArgumentException e) {
            throw new ModelDirectoryException(model.configFile(), e.getMessage(), e);
        }
    }
}
