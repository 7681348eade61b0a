package io.finsent.encoder;

/** {@code device=cuda} was asked for, but this process cannot run ONNX Runtime on a CUDA GPU. */
public final class DeviceUnavailableException extends EncoderException {

    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
