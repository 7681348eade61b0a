package io.finsent.encoder;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a text's tokens into the windows the encoder scores. A text that fits one window is one window. A longer text
 * gets overlapping windows of the full window length, each wrapped in its own special tokens with positions restarting
 * at 0 (as in training); the last window ends at the text's last token, so nothing is dropped. When a text would need
 * more than {@code maxWindows}, exactly {@code maxWindows} evenly spaced windows (first and last included) are scored
 * and the plan says so: never a silent truncation.
 */
public final class LongTextWindows {

    /** Token range {@code [start, end)} of the text (special tokens excluded) that one window holds. */
    public record Span(int start, int end) {

        public int length() {
            return end - start;
        }
    }

    /**
     * The windows of one text.
     *
     * @param capped whether the text needed more than the per-text cap of windows (so not every token was scored)
     */
    public record Plan(List<Span> spans, int tokens, boolean capped) {

        public Plan {
            spans = List.copyOf(spans);
        }
    }

    private final int capacity;
    private final int stride;
    private final int maxWindows;

    /**
     * @param windowLength tokens per window, special tokens included
     * @param specialTokens special tokens wrapped around every window
     * @param stride tokens between window starts, 0 for the default (three quarters of the capacity)
     * @param maxWindows most windows per text
     */
    public LongTextWindows(int windowLength, int specialTokens, int stride, int maxWindows) {
        this.capacity = windowLength - specialTokens;
        if (capacity < 1) {
            throw new IllegalArgumentException("window length " + windowLength + " leaves no room for text next to "
                    + specialTokens + " special tokens");
        }
        this.stride = stride == 0 ? Math.max(1, capacity - capacity / 4) : stride;
        if (this.stride > capacity) {
            throw new IllegalArgumentException("window stride " + stride + " exceeds the " + capacity
                    + " text tokens of a window: tokens between windows would never be scored; use at most "
                    + capacity);
        }
        if (maxWindows < 1) {
            throw new IllegalArgumentException("maxWindows must be positive, not " + maxWindows);
        }
        this.maxWindows = maxWindows;
    }

    /** Text tokens one window holds. */
    public int capacity() {
        return capacity;
    }

    public int stride() {
        return stride;
    }

    public Plan plan(int tokens) {
        if (tokens <= capacity) {
            return new Plan(List.of(new Span(0, tokens)), tokens, false);
        }
        int lastStart = tokens - capacity;
        long needed = ceilDiv(lastStart, stride) + 1L;
        List<Span> spans = new ArrayList<>();
        if (needed <= maxWindows) {
            for (int start = 0; start < lastStart; start += stride) {
                spans.add(new Span(start, start + capacity));
            }
            spans.add(new Span(lastStart, tokens));
            return new Plan(spans, tokens, false);
        }
        if (maxWindows == 1) {
            return new Plan(List.of(new Span(0, capacity)), tokens, true);
        }
        for (int i = 0; i < maxWindows; i++) {
            int start = (int) ((long) i * lastStart / (maxWindows - 1));
            spans.add(new Span(start, start + capacity));
        }
        return new Plan(spans, tokens, true);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
