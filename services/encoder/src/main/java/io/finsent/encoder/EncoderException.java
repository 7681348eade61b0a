package io.finsent.encoder;

/** Base of every error the encoder runtime raises; the message says what to do next. */
public class EncoderException extends RuntimeException {

    public EncoderException(String message) {
        super(message);
    }

    public EncoderException(String message, Throwable cause) {
        super(message, cause);
    }
}
