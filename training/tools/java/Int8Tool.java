import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.BufferedWriter;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime (Java, CPU) helper for the static int8 model (training/tools/quantize_int8.py). Sessions use the
 * encoder service's CPU settings (OnnxEncoderSession.cpuOptions): intra-op threads (default 2), 1 inter-op thread,
 * sequential execution, ALL_OPT, no spinning.
 *
 * <pre>
 * java -cp ORT_JAR:CLASSES Int8Tool stats  MODEL IDS TENSORS OUT.json        per-tensor min/max + tail quantiles
 * java -cp ORT_JAR:CLASSES Int8Tool run    MODEL IDS OUT.bin [BATCH]         logits+embedding of every row
 * java -cp ORT_JAR:CLASSES Int8Tool invariance MODEL IDS OUT.json            batch-1 vs batch-8/32, every position
 * java -cp ORT_JAR:CLASSES Int8Tool bench  OUT.json ROUNDS IDS1,IDS2 MODEL... texts/s, batch 32, interleaved
 * java -cp ORT_JAR:CLASSES Int8Tool profile MODEL IDS OUT_PREFIX             ORT profile of one pass, batch 32
 * java -cp ORT_JAR:CLASSES Int8Tool optimized MODEL OUT.onnx                 the graph after ORT's optimisations
 * </pre>
 *
 * IDS: one text per line, space-separated token ids ([CLS] ... [SEP]). Threads: -Dthreads=N (default 2).
 */
public final class Int8Tool {

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final int THREADS = Integer.getInteger("threads", 2);

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "stats" -> stats(Path.of(args[1]), readIds(Path.of(args[2])), Files.readAllLines(Path.of(args[3])),
                    Path.of(args[4]));
            case "run" -> runAll(Path.of(args[1]), readIds(Path.of(args[2])), Path.of(args[3]),
                    args.length > 4 ? Integer.parseInt(args[4]) : 32);
            case "invariance" -> invariance(Path.of(args[1]), readIds(Path.of(args[2])), Path.of(args[3]));
            case "bench" -> bench(Path.of(args[1]), Integer.parseInt(args[2]), args[3].split(","),
                    Arrays.copyOfRange(args, 4, args.length));
            case "profile" -> profile(Path.of(args[1]), readIds(Path.of(args[2])), args[3]);
            case "optimized" -> optimized(Path.of(args[1]), Path.of(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(THREADS);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        return o;
    }

    static OrtSession open(Path model) throws OrtException {
        try (OrtSession.SessionOptions o = options()) {
            return ENV.createSession(model.toString(), o);
        }
    }

    static long[][] readIds(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        long[][] ids = new long[lines.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Arrays.stream(lines.get(i).trim().split(" ")).mapToLong(Long::parseLong).toArray();
        }
        return ids;
    }

    /** One call, rows padded with 0 / mask 0 to the longest row (as OnnxEncoderSession.run does). */
    static OrtSession.Result call(OrtSession s, long[][] rows, Set<String> outputs) throws OrtException {
        int len = 0;
        for (long[] r : rows) {
            len = Math.max(len, r.length);
        }
        long[] ids = new long[rows.length * len];
        long[] mask = new long[rows.length * len];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, ids, i * len, rows[i].length);
            Arrays.fill(mask, i * len, i * len + rows[i].length, 1L);
        }
        long[] shape = {rows.length, len};
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(ENV, LongBuffer.wrap(ids), shape));
            in.put("attention_mask", OnnxTensor.createTensor(ENV, LongBuffer.wrap(mask), shape));
            if (s.getInputNames().contains("token_type_ids")) {
                in.put("token_type_ids", OnnxTensor.createTensor(ENV, LongBuffer.wrap(new long[ids.length]), shape));
            }
            return outputs == null ? s.run(in) : s.run(in, outputs);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    static final Set<String> OUTS = new LinkedHashSet<>(List.of("logits", "embedding"));

    /** [row][0] = logits, [row][1] = embedding. */
    static float[][][] outputs(OrtSession s, long[][] rows) throws OrtException {
        try (OrtSession.Result r = call(s, rows, OUTS)) {
            float[][][] out = new float[rows.length][2][];
            int k = 0;
            for (String name : OUTS) {
                FloatBuffer fb = ((OnnxTensor) r.get(name).get()).getFloatBuffer();
                int w = fb.remaining() / rows.length;
                for (int i = 0; i < rows.length; i++) {
                    out[i][k] = new float[w];
                    fb.get(i * w, out[i][k]);
                }
                k++;
            }
            return out;
        }
    }

    // ---------------------------------------------------------------------------------------------------- stats

    /**
     * Histograms of the float bit patterns (top 16 bits of |x|, i.e. 1/128 relative resolution) for the positive and
     * the negative values of every tensor, one text per call (no padding), then min/max and tail quantiles.
     */
    static void stats(Path model, long[][] ids, List<String> tensors, Path out) throws Exception {
        tensors = tensors.stream().map(String::trim).filter(t -> !t.isEmpty()).toList();
        Set<String> wanted = new LinkedHashSet<>(tensors);
        int n = tensors.size();
        long[][] pos = new long[n][1 << 15];
        long[][] neg = new long[n][1 << 15];
        long[] count = new long[n];
        double[] min = new double[n];
        double[] max = new double[n];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        float[][] chMin = new float[n][];
        float[][] chMax = new float[n][];
        long t0 = System.nanoTime();
        try (OrtSession s = open(model)) {
            for (int row = 0; row < ids.length; row++) {
                try (OrtSession.Result r = call(s, new long[][] {ids[row]}, wanted)) {
                    for (int t = 0; t < n; t++) {
                        OnnxValue v = r.get(tensors.get(t)).get();
                        long[] shape = ((OnnxTensor) v).getInfo().getShape();
                        int width = (int) shape[shape.length - 1];
                        if (chMin[t] == null) {
                            chMin[t] = new float[width];
                            chMax[t] = new float[width];
                            Arrays.fill(chMin[t], Float.POSITIVE_INFINITY);
                            Arrays.fill(chMax[t], Float.NEGATIVE_INFINITY);
                        }
                        if (chMin[t].length != width) { // last axis not fixed (attention scores): no channels
                            chMin[t] = new float[0];
                            chMax[t] = new float[0];
                        }
                        float[] cmin = chMin[t];
                        float[] cmax = chMax[t];
                        boolean channels = cmin.length == width;
                        FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
                        long[] p = pos[t];
                        long[] q = neg[t];
                        float lo = (float) min[t];
                        float hi = (float) max[t];
                        int m = fb.remaining();
                        for (int i = 0; i < m; i++) {
                            float x = fb.get(i);
                            int bits = Float.floatToRawIntBits(x);
                            if (bits < 0) {
                                q[(bits & 0x7fffffff) >>> 16]++;
                            } else {
                                p[bits >>> 16]++;
                            }
                            lo = Math.min(lo, x);
                            hi = Math.max(hi, x);
                            if (channels) {
                                int c = i % width;
                                cmin[c] = Math.min(cmin[c], x);
                                cmax[c] = Math.max(cmax[c], x);
                            }
                        }
                        min[t] = lo;
                        max[t] = hi;
                        count[t] += m;
                    }
                }
                if ((row + 1) % 250 == 0) {
                    System.err.printf(Locale.ROOT, "stats: %d/%d texts, %.0f s%n", row + 1, ids.length,
                            (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        double[] tails = {1e-3, 1e-4, 1e-5, 1e-6};
        try (BufferedWriter w = Files.newBufferedWriter(out)) {
            w.write("{\"texts\": " + ids.length + ", \"tensors\": {\n");
            for (int t = 0; t < n; t++) {
                StringBuilder sb = new StringBuilder();
                sb.append(String.format(Locale.ROOT, "  \"%s\": {\"count\": %d, \"min\": %s, \"max\": %s",
                        tensors.get(t), count[t], fmt(min[t]), fmt(max[t])));
                for (double tail : tails) {
                    // upper quantile: smallest v with #(x > v) <= tail*count; lower: mirror on the negatives
                    sb.append(String.format(Locale.ROOT, ", \"hi_%s\": %s, \"lo_%s\": %s", tailName(tail),
                            fmt(upper(pos[t], tail * count[t], max[t])), tailName(tail),
                            fmt(-upper(neg[t], tail * count[t], -min[t]))));
                }
                // per-channel (last axis) min/max, for SmoothQuant-style scaling
                sb.append(", \"ch_min\": ").append(floats(chMin[t])).append(", \"ch_max\": ").append(floats(chMax[t]));
                sb.append(t + 1 < n ? "},\n" : "}\n");
                w.write(sb.toString());
            }
            w.write("}}\n");
        }
        System.err.printf(Locale.ROOT, "stats: %d tensors over %d texts in %.0f s -> %s%n", n, ids.length,
                (System.nanoTime() - t0) / 1e9, out);
    }

    /** 1e-3 -> "99_9", 1e-4 -> "99_99", ... */
    static String tailName(double tail) {
        int digits = (int) Math.round(-Math.log10(tail));
        return "99_" + "9".repeat(digits - 2);
    }

    /** Upper edge of the histogram bin where the count above it first exceeds {@code budget}; capped by the extreme. */
    static double upper(long[] hist, double budget, double extreme) {
        if (extreme <= 0) {
            return Math.max(extreme, 0);
        }
        long above = 0;
        for (int b = hist.length - 1; b >= 0; b--) {
            above += hist[b];
            if (above > budget) {
                double edge = Float.intBitsToFloat((b + 1) << 16);
                return Math.min(edge, extreme);
            }
        }
        return 0;
    }

    static String floats(float[] a) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < a.length; i++) {
            sb.append(i > 0 ? ", " : "").append(fmt(a[i]));
        }
        return sb.append(']').toString();
    }

    static String fmt(double v) {
        if (Double.isInfinite(v) || Double.isNaN(v)) {
            return "null";
        }
        return Float.toString((float) v);
    }

    // ------------------------------------------------------------------------------------------------------ run

    static void runAll(Path model, long[][] ids, Path out, int batch) throws Exception {
        long t0 = System.nanoTime();
        try (OrtSession s = open(model);
                DataOutputStream o = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(out.toFile())))) {
            for (int start = 0; start < ids.length; start += batch) {
                long[][] rows = Arrays.copyOfRange(ids, start, Math.min(ids.length, start + batch));
                for (float[][] row : outputs(s, rows)) {
                    for (float[] part : row) {
                        for (float f : part) {
                            o.writeFloat(f); // big-endian
                        }
                    }
                }
            }
        }
        System.err.printf(Locale.ROOT, "run: %d texts in %.1f s -> %s%n", ids.length, (System.nanoTime() - t0) / 1e9,
                out);
    }

    // ----------------------------------------------------------------------------------------------- invariance

    /**
     * Every text alone (batch 1, no padding) is the reference. Then batches of 8 and of 32 consecutive texts (mixed
     * lengths, padded to the longest), rotated so that every text sits at every position of its batch of 8 and at 8
     * positions of its batch of 32; every output must be bit-identical to the reference.
     */
    static void invariance(Path model, long[][] ids, Path out) throws Exception {
        try (OrtSession s = open(model)) {
            float[][][] alone = new float[ids.length][][];
            for (int i = 0; i < ids.length; i++) {
                alone[i] = outputs(s, new long[][] {ids[i]})[0];
            }
            StringBuilder json = new StringBuilder("{\"model\": \"" + model + "\", \"texts\": " + ids.length);
            boolean all = true;
            for (int size : new int[] {8, 32}) {
                int rotations = size == 8 ? 8 : 8;
                int step = size / rotations;
                long compared = 0;
                long differing = 0;
                double maxDiff = 0;
                for (int start = 0; start + size <= ids.length; start += size) {
                    for (int rot = 0; rot < rotations; rot++) {
                        long[][] rows = new long[size][];
                        int[] which = new int[size];
                        for (int p = 0; p < size; p++) {
                            which[p] = start + (p + rot * step) % size;
                            rows[p] = ids[which[p]];
                        }
                        float[][][] got = outputs(s, rows);
                        for (int p = 0; p < size; p++) {
                            for (int k = 0; k < 2; k++) {
                                compared++;
                                float[] a = alone[which[p]][k];
                                float[] b = got[p][k];
                                if (!Arrays.equals(a, b)) {
                                    differing++;
                                    for (int j = 0; j < a.length; j++) {
                                        maxDiff = Math.max(maxDiff, Math.abs(a[j] - b[j]));
                                    }
                                }
                            }
                        }
                    }
                }
                all &= differing == 0;
                json.append(String.format(Locale.ROOT,
                        ", \"batch%d\": {\"outputs_compared\": %d, \"outputs_not_bit_identical\": %d,"
                                + " \"max_abs_diff\": %s}", size, compared, differing, Double.toString(maxDiff)));
                System.err.printf(Locale.ROOT, "invariance %s batch %d: %d/%d outputs differ, max |diff| %g%n",
                        model, size, differing, compared, maxDiff);
            }
            json.append(", \"bit_identical\": ").append(all).append("}\n");
            Files.writeString(out, json.toString());
        }
    }

    // ---------------------------------------------------------------------------------------------------- bench

    /** texts/s, batch 32 in file order, every model once per round on every set, interleaved. */
    static void bench(Path out, int rounds, String[] sets, String[] models) throws Exception {
        List<long[][]> data = new ArrayList<>();
        for (String set : sets) {
            data.add(readIds(Path.of(set)));
        }
        OrtSession[] sessions = new OrtSession[models.length];
        for (int m = 0; m < models.length; m++) {
            sessions[m] = open(Path.of(models[m]));
            for (long[][] d : data) { // warm-up
                for (int b = 0; b < 3; b++) {
                    outputs(sessions[m], Arrays.copyOfRange(d, b * 32, b * 32 + 32));
                }
            }
        }
        double[][][] secs = new double[rounds][models.length][data.size()];
        for (int r = 0; r < rounds; r++) {
            for (int d = 0; d < data.size(); d++) {
                for (int m = 0; m < models.length; m++) {
                    long[][] ids = data.get(d);
                    long t0 = System.nanoTime();
                    for (int start = 0; start < ids.length; start += 32) {
                        outputs(sessions[m], Arrays.copyOfRange(ids, start, Math.min(ids.length, start + 32)));
                    }
                    secs[r][m][d] = (System.nanoTime() - t0) / 1e9;
                    System.err.printf(Locale.ROOT, "round %d %s %s: %.2f s, %.1f texts/s%n", r, sets[d], models[m],
                            secs[r][m][d], ids.length / secs[r][m][d]);
                }
            }
        }
        for (OrtSession s : sessions) {
            s.close();
        }
        StringBuilder json = new StringBuilder("{\"threads\": " + THREADS + ", \"batch\": 32, \"rounds\": " + rounds
                + ", \"sets\": {");
        for (int d = 0; d < data.size(); d++) {
            json.append(d > 0 ? ", " : "").append('"').append(sets[d]).append("\": {\"texts\": ")
                    .append(data.get(d).length).append(", \"seconds\": {");
            for (int m = 0; m < models.length; m++) {
                json.append(m > 0 ? ", " : "").append('"').append(models[m]).append("\": [");
                for (int r = 0; r < rounds; r++) {
                    json.append(r > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.4f", secs[r][m][d]));
                }
                json.append(']');
            }
            json.append("}}");
        }
        json.append("}}\n");
        Files.writeString(out, json.toString());
    }

    // -------------------------------------------------------------------------------------------------- profile

    static void profile(Path model, long[][] ids, String prefix) throws Exception {
        try (OrtSession.SessionOptions o = options()) {
            o.enableProfiling(prefix);
            try (OrtSession s = ENV.createSession(model.toString(), o)) {
                for (int start = 0; start < ids.length; start += 32) {
                    outputs(s, Arrays.copyOfRange(ids, start, Math.min(ids.length, start + 32)));
                }
                System.out.println(s.endProfiling());
            }
        }
    }

    static void optimized(Path model, Path out) throws Exception {
        try (OrtSession.SessionOptions o = options()) {
            o.setOptimizedModelFilePath(out.toString());
            try (OrtSession s = ENV.createSession(model.toString(), o)) {
                System.err.println("optimized graph -> " + out);
            }
        }
    }
}
