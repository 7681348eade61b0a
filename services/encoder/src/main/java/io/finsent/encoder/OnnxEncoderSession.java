package io.finsent.encoder;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The ONNX Runtime session of a model directory: checks the graph's signature against {@code config.json}, feeds the
 * inputs the graph declares and returns, per row, the logits and the pooled embedding.
 */
final class OnnxEncoderSession implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OnnxEncoderSession.class);

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final String POSITION_IDS = "position_ids";
    private static final Set<String> KNOWN_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS, POSITION_IDS);

    /** The outputs of one call, row-major: {@code logits[row]} and {@code embeddings[row]}. */
    record Output(float[][] logits, float[][] embeddings) {
    }

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final ModelConfig config;
    private final Device device;
    private final boolean feedsTokenTypes;
    private final boolean feedsPositions;
    private final Set<String> requestedOutputs;

    private OnnxEncoderSession(OrtEnvironment environment, OrtSession session, ModelConfig config, Device device) {
        this.environment = environment;
        this.session = session;
        this.config = config;
        this.device = device;
        this.feedsTokenTypes = session.getInputNames().contains(TOKEN_TYPE_IDS);
        this.feedsPositions = session.getInputNames().contains(POSITION_IDS);
        Set<String> outputs = new LinkedHashSet<>();
        if (config.logitsOutput() != null) {
            outputs.add(config.logitsOutput());
        }
        outputs.add(config.embeddingOutput() != null ? config.embeddingOutput() : config.hiddenStatesOutput());
        this.requestedOutputs = Set.copyOf(outputs);
    }

    static OnnxEncoderSession open(ModelDirectory model, EncoderOptions options) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        Device device = resolveDevice(options.device());
        OrtSession session = null;
        if (device == Device.CUDA) {
            session = cudaSession(environment, model, options);
            if (session == null) {
                device = Device.CPU;
            }
        }
        if (session == null) {
            try (OrtSession.SessionOptions cpu = cpuOptions(options)) {
                session = environment.createSession(model.modelFile().toString(), cpu);
            } catch (OrtException e) {
                throw unloadable(model, e);
            }
        }
        try {
            checkSignature(model, session);
        } catch (RuntimeException e) {
            closeQuietly(session, e);
            throw e;
        }
        LOG.infof("Encoder %s %s loaded from %s on %s (window %d tokens, %s positions)", model.config().name(),
                model.config().version(), model.root(), device.name().toLowerCase(Locale.ROOT),
                model.config().windowLength(), model.config().positionScheme().name().toLowerCase(Locale.ROOT));
        return new OnnxEncoderSession(environment, session, model.config(), device);
    }

    /** The device the session actually runs on (never {@link Device#AUTO}). */
    Device device() {
        return device;
    }

    /**
     * Runs one call. {@code ids[row]} holds the row's real tokens (special tokens included); every row is padded to
     * {@code paddedLength} with {@code padId} and masked.
     */
    Output run(long[][] ids, int paddedLength, long padId) {
        int rows = ids.length;
        long[] inputIds = new long[rows * paddedLength];
        long[] mask = new long[rows * paddedLength];
        long[] positions = feedsPositions ? new long[rows * paddedLength] : null;
        for (int row = 0; row < rows; row++) {
            long[] sequence = ids[row];
            int base = row * paddedLength;
            for (int t = 0; t < paddedLength; t++) {
                boolean real = t < sequence.length;
                inputIds[base + t] = real ? sequence[t] : padId;
                mask[base + t] = real ? 1 : 0;
                if (positions != null) {
                    positions[base + t] = real ? t : 0;
                }
            }
        }
        long[] shape = {rows, paddedLength};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(inputIds), shape));
            inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            if (feedsTokenTypes) {
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(environment,
                        LongBuffer.wrap(new long[rows * paddedLength]), shape));
            }
            if (positions != null) {
                inputs.put(POSITION_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(positions), shape));
            }
            try (OrtSession.Result result = session.run(inputs, requestedOutputs)) {
                float[][] logits = config.logitsOutput() == null
                        ? null : rowsOf(result, config.logitsOutput(), rows);
                float[][] embeddings = config.embeddingOutput() != null
                        ? rowsOf(result, config.embeddingOutput(), rows)
                        : pool(result, ids, paddedLength);
                return new Output(logits, embeddings);
            }
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed on a batch of " + rows + " x " + paddedLength
                    + " tokens (" + e.getMessage() + "); lower the token budget if this is an out-of-memory error", e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new InferenceException("closing the ONNX Runtime session failed: " + e.getMessage(), e);
        }
    }

    private float[][] pool(OrtSession.Result result, long[][] ids, int paddedLength) throws OrtException {
        OnnxTensor states = tensor(result, config.hiddenStatesOutput());
        long[] shape = states.getInfo().getShape();
        int hidden = (int) shape[shape.length - 1];
        FloatBuffer values = states.getFloatBuffer();
        float[][] pooled = new float[ids.length][hidden];
        for (int row = 0; row < ids.length; row++) {
            int base = row * paddedLength * hidden;
            if (config.pooling() == Pooling.CLS) {
                values.get(base, pooled[row]);
                continue;
            }
            double[] sum = new double[hidden];
            int tokens = ids[row].length;
            for (int t = 0; t < tokens; t++) {
                int offset = base + t * hidden;
                for (int h = 0; h < hidden; h++) {
                    sum[h] += values.get(offset + h);
                }
            }
            for (int h = 0; h < hidden; h++) {
                pooled[row][h] = (float) (sum[h] / tokens);
            }
        }
        return pooled;
    }

    private static float[][] rowsOf(OrtSession.Result result, String name, int rows) throws OrtException {
        OnnxTensor tensor = tensor(result, name);
        FloatBuffer values = tensor.getFloatBuffer();
        int width = values.remaining() / rows;
        float[][] out = new float[rows][width];
        for (int row = 0; row < rows; row++) {
            values.get(row * width, out[row]);
        }
        return out;
    }

    private static OnnxTensor tensor(OrtSession.Result result, String name) {
        OnnxValue value = result.get(name).orElseThrow(() -> new InferenceException(
                "ONNX Runtime returned no output '" + name + "'", null));
        if (!(value instanceof OnnxTensor tensor)) {
            throw new InferenceException("output '" + name + "' is not a tensor", null);
        }
        return tensor;
    }

    private static Device resolveDevice(Device requested) {
        if (requested == Device.CPU) {
            return Device.CPU;
        }
        Set<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
        if (providers.contains(OrtProvider.CUDA)) {
            return Device.CUDA;
        }
        String reason = "this ONNX Runtime build has no CUDA provider (available: " + providers + ")";
        if (requested == Device.CUDA) {
            throw new DeviceUnavailableException("device=cuda, but " + reason + "; build with -Dgpu (onnxruntime_gpu)"
                    + " on a machine with CUDA 12 and cuDNN 9, or use device=auto or cpu", null);
        }
        LOG.infof("Encoder device auto: %s; running on CPU", reason);
        return Device.CPU;
    }

    private static OrtSession.SessionOptions cpuOptions(EncoderOptions options) throws OrtException {
        OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions();
        // Fixed thread counts and sequential execution: the numbers must not depend on the host's core count.
        sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
        sessionOptions.setInterOpNumThreads(1);
        sessionOptions.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        sessionOptions.addConfigEntry("session.intra_op.allow_spinning", options.spinWait() ? "1" : "0");
        return sessionOptions;
    }

    /**
     * A session on the CUDA provider, or {@code null} (after one log line) when {@code auto} must fall back to the CPU
     * because the provider, the driver or the GPU is missing.
     */
    private static OrtSession cudaSession(OrtEnvironment environment, ModelDirectory model, EncoderOptions options) {
        try (OrtSession.SessionOptions cuda = cpuOptions(options)) {
            cuda.addCUDA(0);
            return environment.createSession(model.modelFile().toString(), cuda);
        } catch (OrtException e) {
            if (options.device() == Device.CUDA) {
                throw new DeviceUnavailableException("device=cuda, but ONNX Runtime could not run " + model.modelFile()
                        + " on CUDA (" + e.getMessage() + "); check the GPU, the NVIDIA driver and the CUDA 12 and"
                        + " cuDNN 9 libraries, or use device=auto or cpu", e);
            }
            LOG.infof("Encoder device auto: CUDA could not be used (%s); running on CPU", e.getMessage());
            return null;
        }
    }

    private static ModelDirectoryException unloadable(ModelDirectory model, OrtException e) {
        return new ModelDirectoryException(model.modelFile(), "ONNX Runtime cannot load it (" + e.getMessage()
                + "); re-export the encoder to ONNX (opset 14 or later) and check the file is complete", e);
    }

    private static void checkSignature(ModelDirectory model, OrtSession session) {
        Path modelFile = model.modelFile();
        Set<String> inputs = session.getInputNames();
        for (String required : new String[] {INPUT_IDS, ATTENTION_MASK}) {
            if (!inputs.contains(required)) {
                throw new ModelDirectoryException(modelFile, "has no input '" + required + "' (inputs: " + inputs
                        + "); export the encoder with input_ids and attention_mask as inputs");
            }
        }
        for (String input : inputs) {
            if (!KNOWN_INPUTS.contains(input)) {
                throw new ModelDirectoryException(modelFile, "declares input '" + input + "', which the runtime cannot"
                        + " feed; export with only " + KNOWN_INPUTS);
            }
        }
        Map<String, NodeInfo> outputs;
        try {
            outputs = session.getOutputInfo();
        } catch (OrtException e) {
            throw new ModelDirectoryException(modelFile, "ONNX Runtime cannot list its outputs: " + e.getMessage(), e);
        }
        ModelConfig config = model.config();
        checkOutput(model, outputs, "logits", config.logitsOutput(), 2);
        checkOutput(model, outputs, "embedding", config.embeddingOutput(), 2);
        if (config.embeddingOutput() == null) {
            checkOutput(model, outputs, "hidden_states", config.hiddenStatesOutput(), 3);
        }
        if (config.logitsOutput() != null) {
            long[] shape = ((TensorInfo) outputs.get(config.logitsOutput()).getInfo()).getShape();
            long classes = shape[shape.length - 1];
            if (classes > 0 && classes != config.labels().size()) {
                throw new ModelDirectoryException(model.configFile(), "lists " + config.labels().size()
                        + " labels but output '" + config.logitsOutput() + "' of model.onnx has " + classes
                        + " classes; make labels match the classifier head");
            }
        }
    }

    private static void checkOutput(ModelDirectory model, Map<String, NodeInfo> outputs, String field, String name,
            int rank) {
        if (name == null) {
            return;
        }
        NodeInfo info = outputs.get(name);
        if (info == null) {
            throw new ModelDirectoryException(model.configFile(), "outputs." + field + " names '" + name
                    + "' but model.onnx has the outputs " + outputs.keySet() + "; use one of those or null");
        }
        if (!(info.getInfo() instanceof TensorInfo tensor) || tensor.getShape().length != rank) {
            throw new ModelDirectoryException(model.configFile(), "outputs." + field + " names '" + name
                    + "', which is not a rank-" + rank + " float tensor in model.onnx (" + info.getInfo() + ")");
        }
    }

    private static void closeQuietly(OrtSession session, RuntimeException failure) {
        try {
            session.close();
        } catch (OrtException e) {
            failure.addSuppressed(e);
        }
    }
}
