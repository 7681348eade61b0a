package io.finsent.encoder;

/** ONNX Runtime failed while running a batch; the text itself was acceptable. */
public final class InferenceException extends EncoderException {

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
