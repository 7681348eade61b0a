package io.finsent.bench.encoder;

import io.finsent.encoder.ModelDirectoryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The transformer dimensions of an encoder graph (layers, hidden size, feed-forward size), read from the weight
 * shapes in {@code model.onnx}, and the analytic FLOP count of running it. A BERT-style encoder layer holds four
 * {@code hidden x hidden} projections and a feed-forward pair {@code hidden x intermediate}, {@code intermediate x
 * hidden}; the number of such pairs is the number of layers.
 *
 * <p>FLOPs (multiply-add = 2) of one sequence of {@code s} tokens: per layer {@code 2s(4h^2 + 2hi)} for the
 * projections and the feed-forward, plus {@code 4 s^2 h} for attention scores and the weighted sum of values.
 */
public record EncoderDimensions(int layers, int hidden, int intermediate) {

    /** FLOPs of one sequence of {@code length} tokens (padding included, as the hardware computes it). */
    public double flopsPerSequence(int length) {
        double s = length;
        double h = hidden;
        double i = intermediate;
        return layers * (2 * s * (4 * h * h + 2 * h * i) + 4 * s * s * h);
    }

    /**
     * FLOPs of a run that computed {@code paddedTokens} tokens in all (padding included) and {@code paddedSquaredTokens}
     * = sum over calls of rows x padded length squared (see {@link io.finsent.encoder.EncodeStats}).
     */
    public double flops(long paddedTokens, long paddedSquaredTokens) {
        double h = hidden;
        double i = intermediate;
        return layers * (2.0 * paddedTokens * (4 * h * h + 2 * h * i) + 4.0 * paddedSquaredTokens * h);
    }

    /** Reads the weight shapes of {@code modelFile} (an ONNX ModelProto) without loading the weights. */
    public static EncoderDimensions read(Path modelFile) {
        Map<List<Long>, Integer> shapes = new HashMap<>();
        try (FileChannel channel = FileChannel.open(modelFile, StandardOpenOption.READ)) {
            ByteBuffer model = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            ProtoReader modelReader = new ProtoReader(model);
            while (modelReader.next()) {
                if (modelReader.field() == 7 && modelReader.isBytes()) { // ModelProto.graph
                    ProtoReader graph = new ProtoReader(modelReader.bytes());
                    while (graph.next()) {
                        if (graph.field() == 5 && graph.isBytes()) { // GraphProto.initializer
                            List<Long> dims = dims(graph.bytes());
                            if (dims.size() == 2) {
                                shapes.merge(dims, 1, Integer::sum);
                            }
                        } else {
                            graph.skip();
                        }
                    }
                } else {
                    modelReader.skip();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ModelDirectoryException(modelFile, "cannot be read as an ONNX model to count its dimensions ("
                    + e + ")", e);
        }
        return fromWeightShapes(shapes, modelFile);
    }

    static EncoderDimensions fromWeightShapes(Map<List<Long>, Integer> shapes, Path modelFile) {
        int bestLayers = 0;
        long hidden = 0;
        long intermediate = 0;
        for (Map.Entry<List<Long>, Integer> entry : shapes.entrySet()) {
            long a = entry.getKey().get(0);
            long b = entry.getKey().get(1);
            if (a >= b) {
                continue;
            }
            int up = entry.getValue();
            int down = shapes.getOrDefault(List.of(b, a), 0);
            int squares = shapes.getOrDefault(List.of(a, a), 0);
            int layers = Math.min(up, down);
            if (layers > bestLayers && squares >= 4 * layers) {
                bestLayers = layers;
                hidden = a;
                intermediate = b;
            }
        }
        if (bestLayers == 0) {
            throw new ModelDirectoryException(modelFile, "has no BERT-style layers (hidden x hidden projections and a"
                    + " hidden x intermediate feed-forward pair); FLOPs cannot be counted for this graph");
        }
        return new EncoderDimensions(bestLayers, (int) hidden, (int) intermediate);
    }

    private static List<Long> dims(ByteBuffer tensor) {
        List<Long> dims = new ArrayList<>();
        ProtoReader reader = new ProtoReader(tensor);
        while (reader.next()) {
            if (reader.field() == 1) { // TensorProto.dims, packed or not
                if (reader.isBytes()) {
                    ProtoReader packed = new ProtoReader(reader.bytes());
                    while (packed.hasRemaining()) {
                        dims.add(packed.varint());
                    }
                } else {
                    dims.add(reader.varint());
                }
            } else {
                reader.skip();
            }
        }
        return dims;
    }

    /** The minimum of protobuf's wire format needed to walk an ONNX file. */
    static final class ProtoReader {

        private final ByteBuffer buffer;
        private int field;
        private int wireType;

        ProtoReader(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        boolean hasRemaining() {
            return buffer.hasRemaining();
        }

        boolean next() {
            if (!buffer.hasRemaining()) {
                return false;
            }
            long key = varint();
            field = (int) (key >>> 3);
            wireType = (int) (key & 7);
            return true;
        }

        int field() {
            return field;
        }

        boolean isBytes() {
            return wireType == 2;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buffer.get();
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("malformed varint");
        }

        ByteBuffer bytes() {
            int length = (int) varint();
            ByteBuffer slice = buffer.slice(buffer.position(), length);
            buffer.position(buffer.position() + length);
            return slice;
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> buffer.position(buffer.position() + 8);
                case 2 -> bytes();
                case 5 -> buffer.position(buffer.position() + 4);
                default -> throw new IllegalStateException("unsupported wire type " + wireType);
            }
        }
    }
}
