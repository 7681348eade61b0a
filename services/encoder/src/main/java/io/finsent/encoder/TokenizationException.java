package io.finsent.encoder;

/** The tokenizer rejected a text; the message says which and why. */
public final class TokenizationException extends EncoderException {

    public TokenizationException(String message, Throwable cause) {
        super(message, cause);
    }
}
