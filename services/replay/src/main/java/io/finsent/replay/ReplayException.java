package io.finsent.replay;

/** A replay, backtest or run deletion that cannot go on; the message says what to do next. */
public final class ReplayException extends RuntimeException {

    public ReplayException(String message) {
        super(message);
    }

    public ReplayException(String message, Throwable cause) {
        super(message, cause);
    }
}
