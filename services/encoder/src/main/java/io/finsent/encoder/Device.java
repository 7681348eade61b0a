package io.finsent.encoder;

import java.util.Locale;

/** Where ONNX Runtime runs the encoder. */
public enum Device {
    /** CPU execution provider. */
    CPU,
    /** CUDA execution provider; fails with {@link DeviceUnavailableException} when there is none. */
    CUDA,
    /** CUDA when available, else CPU (one log line says which and why). */
    AUTO;

    /** Parses {@code cpu}, {@code cuda} or {@code auto}, case-insensitively. */
    public static Device parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device must be cpu, cuda or auto, not '" + value + "'", e);
        }
    }
}
