package io.finsent.bench.encoder;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;

/**
 * Measures this machine's fp32 GEMM rate through ONNX Runtime itself: a one-node {@code MatMul} graph, {@code A[m,k]}
 * (input) times a constant {@code B[k,n]} (initializer, pre-packed like the encoder's weights), written as ONNX
 * protobuf in code and run with the encoder's thread settings.
 */
public final class GemmProbe {

    /** One measured GEMM shape. */
    public record Rate(int m, int k, int n, double gflops) {
    }

    private GemmProbe() {
    }

    /** Best rate of {@code m x k x n} over {@code trials} timed runs of at least {@code minSeconds} each. */
    public static Rate measure(int m, int k, int n, int intraOpThreads, int trials, double minSeconds) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            try (OrtSession session = environment.createSession(matMulModel(k, n), options);
                    OnnxTensor a = OnnxTensor.createTensor(environment, randomFloats(m * k, 1), new long[] {m, k})) {
                Map<String, OnnxTensor> inputs = Map.of("A", a);
                for (int warmup = 0; warmup < 3; warmup++) {
                    session.run(inputs).close();
                }
                double flops = 2.0 * m * k * n;
                double best = 0;
                for (int trial = 0; trial < trials; trial++) {
                    long start = System.nanoTime();
                    int runs = 0;
                    double elapsed;
                    do {
                        session.run(inputs).close();
                        runs++;
                        elapsed = (System.nanoTime() - start) / 1e9;
                    } while (elapsed < minSeconds);
                    best = Math.max(best, flops * runs / elapsed / 1e9);
                }
                return new Rate(m, k, n, best);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("the GEMM probe failed in ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** ONNX ModelProto bytes of {@code C = MatMul(A[?, k], B[k, n])} with {@code B} a random initializer. */
    static byte[] matMulModel(int k, int n) {
        ByteBuffer weights = ByteBuffer.allocate(4 * k * n).order(ByteOrder.LITTLE_ENDIAN);
        weights.asFloatBuffer().put(randomFloats(k * n, 2));
        byte[] node = new ProtoWriter().string(1, "A").string(1, "B").string(2, "C").string(4, "MatMul").bytes();
        byte[] initializer = new ProtoWriter().varint(1, k).varint(1, n).varint(2, 1).string(8, "B")
                .message(9, weights.array()).bytes();
        byte[] graph = new ProtoWriter()
                .message(1, node)
                .string(2, "gemm_probe")
                .message(5, initializer)
                .message(11, valueInfo("A", -1, k))
                .message(12, valueInfo("C", -1, n))
                .bytes();
        byte[] opset = new ProtoWriter().string(1, "").varint(2, 17).bytes();
        return new ProtoWriter().varint(1, 8).string(2, "finsent").message(7, graph).message(8, opset).bytes();
    }

    private static byte[] valueInfo(String name, long rows, long columns) {
        byte[] rowDim = rows < 0 ? new ProtoWriter().string(2, "m").bytes() : new ProtoWriter().varint(1, rows).bytes();
        byte[] shape = new ProtoWriter().message(1, rowDim)
                .message(1, new ProtoWriter().varint(1, columns).bytes()).bytes();
        byte[] tensorType = new ProtoWriter().varint(1, 1).message(2, shape).bytes();
        byte[] type = new ProtoWriter().message(1, tensorType).bytes();
        return new ProtoWriter().string(1, name).message(2, type).bytes();
    }

    private static FloatBuffer randomFloats(int count, long seed) {
        Random random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = random.nextFloat() - 0.5f;
        }
        return FloatBuffer.wrap(values);
    }

    /** The minimum of protobuf's wire format needed to write a small ONNX model. */
    static final class ProtoWriter {

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        ProtoWriter varint(int field, long value) {
            rawVarint((long) field << 3);
            rawVarint(value);
            return this;
        }

        ProtoWriter string(int field, String value) {
            return message(field, value.getBytes(StandardCharsets.UTF_8));
        }

        ProtoWriter message(int field, byte[] value) {
            rawVarint(((long) field << 3) | 2);
            rawVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void rawVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
