package io.finsent.encoder;

/**
 * Runtime knobs of an {@link Encoder}; the model itself is described by its {@link ModelConfig}.
 *
 * @param device where ONNX Runtime runs; default {@link Device#AUTO}
 * @param intraOpThreads ONNX Runtime intra-op threads, fixed so results never depend on the host; default 2
 * @param spinWait whether idle intra-op threads spin instead of sleeping; default false: on a machine shared with the
 *     broker, the database and other services, spinning threads steal the cores the work needs (measured on 2 cores
 *     under load: batch 1 ran 2x and batch 32 1.2x faster without spinning)
 * @param tokenBudget most padded tokens (rows x padded length) in one ONNX call; default 2048, the best of 512 to
 *     8192 on the mixed-length measurement set on 2 CPU cores (activations stay in cache); raise it for CUDA
 * @param maxBatchSize most windows in one ONNX call; default 64
 * @param paddingMultiple a window's padded length is its length rounded up to this multiple (capped at the window
 *     length); a function of the text alone, which is what makes results batch-invariant; default 8
 * @param windowStride tokens between the starts of consecutive windows of a long text; 0 means three quarters of a
 *     window's text capacity (a quarter overlap)
 * @param maxWindowsPerText most windows scored per text, the cap on what one text costs: a longer text is covered by
 *     this many evenly spaced windows and flagged {@link EncoderResult#windowsCapped()}; default 16 (with the shipped
 *     512-token window, about 6,000 tokens of text: a long article whole; one hostile text of 100,000 characters
 *     took 4.4 s at 16 against 16.1 s at 64 on 2 cores, and every text behind it in its partition waits that long)
 * @param batchOrder {@link BatchOrder#LENGTH_BUCKETED} (default) or the arrival-order baseline for measurements
 */
public record EncoderOptions(
        Device device,
        int intraOpThreads,
        boolean spinWait,
        int tokenBudget,
        int maxBatchSize,
        int paddingMultiple,
        int windowStride,
        int maxWindowsPerText,
        BatchOrder batchOrder) {

    public static final int DEFAULT_INTRA_OP_THREADS = 2;
    public static final int DEFAULT_TOKEN_BUDGET = 2048;
    public static final int DEFAULT_MAX_BATCH_SIZE = 64;
    public static final int DEFAULT_PADDING_MULTIPLE = 8;
    public static final int DEFAULT_MAX_WINDOWS_PER_TEXT = 16;

    public EncoderOptions {
        if (device == null || batchOrder == null) {
            throw new IllegalArgumentException("device and batchOrder must be set");
        }
        requirePositive("intraOpThreads", intraOpThreads);
        requirePositive("tokenBudget", tokenBudget);
        requirePositive("maxBatchSize", maxBatchSize);
        requirePositive("paddingMultiple", paddingMultiple);
        requirePositive("maxWindowsPerText", maxWindowsPerText);
        if (windowStride < 0) {
            throw new IllegalArgumentException("windowStride must be 0 (default) or positive, not " + windowStride);
        }
    }

    public static EncoderOptions defaults() {
        return new EncoderOptions(Device.AUTO, DEFAULT_INTRA_OP_THREADS, false, DEFAULT_TOKEN_BUDGET,
                DEFAULT_MAX_BATCH_SIZE, DEFAULT_PADDING_MULTIPLE, 0, DEFAULT_MAX_WINDOWS_PER_TEXT,
                BatchOrder.LENGTH_BUCKETED);
    }

    public EncoderOptions withDevice(Device value) {
        return new EncoderOptions(value, intraOpThreads, spinWait, tokenBudget, maxBatchSize,
                paddingMultiple, windowStride, maxWindowsPerText, batchOrder);
    }

    public EncoderOptions withIntraOpThreads(int value) {
        return new EncoderOptions(device, value, spinWait, tokenBudget, maxBatchSize,
                paddingMultiple, windowStride, maxWindowsPerText, batchOrder);
    }

    public EncoderOptions withSpinWait(boolean value) {
        return new EncoderOptions(device, intraOpThreads, value, tokenBudget, maxBatchSize,
                paddingMultiple, windowStride, maxWindowsPerText, batchOrder);
    }

    public EncoderOptions withTokenBudget(int value) {
        return new EncoderOptions(device, intraOpThreads, spinWait, value, maxBatchSize,
                paddingMultiple, windowStride, maxWindowsPerText, batchOrder);
    }

    public EncoderOptions withMaxBatchSize(int value) {
        return new EncoderOptions(device, intraOpThreads, spinWait, tokenBudget, value,
                paddingMultiple, windowStride, maxWindowsPerText, batchOrder);
    }

    public EncoderOptions withPaddingMultiple(int value) {
        return new EncoderOptions(device, intraOpThreads, spinWait, tokenBudget, maxBatchSize,
                value, windowStride, maxWindowsPerText, batchOrder);
    }

    public EncoderOptions withWindowStride(int value) {
        return new EncoderOptions(device, intraOpThreads, spinWait, tokenBudget, maxBatchSize,
                paddingMultiple, value, maxWindowsPerText, batchOrder);
    }

    public EncoderOptions withMaxWindowsPerText(int value) {
        return new EncoderOptions(device, intraOpThreads, spinWait, tokenBudget, maxBatchSize,
                paddingMultiple, windowStride, value, batchOrder);
    }

    public EncoderOptions withBatchOrder(BatchOrder value) {
        return new EncoderOptions(device, intraOpThreads, spinWait, tokenBudget, maxBatchSize,
                paddingMultiple, windowStride, maxWindowsPerText, value);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }
}
