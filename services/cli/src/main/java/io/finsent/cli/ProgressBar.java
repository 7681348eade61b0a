package io.finsent.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress of long work on stderr, with rate and ETA: redrawn in place on a terminal, a line every
 * few seconds otherwise (CI logs), and nothing when {@code --json} keeps the output machine-readable
 * (it still writes to stderr, which {@code --json} users do not parse).
 */
public final class ProgressBar {

    private final PrintWriter err;
    private final String what;
    private final long total;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private long lastDrawn;
    private long done;

    public ProgressBar(PrintWriter err, String what, long total) {
        this.err = err;
        this.what = what;
        this.total = total;
        this.terminal = System.console() != null;
    }

    public void advance(long count) {
        done += count;
        long now = System.nanoTime();
        long interval = terminal ? 200_000_000L : 5_000_000_000L;
        if (now - lastDrawn >= interval || done >= total) {
            lastDrawn = now;
            draw(now);
        }
    }

    public long done() {
        return done;
    }

    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    public double ratePerSecond() {
        double seconds = (System.nanoTime() - started) / 1e9;
        return seconds <= 0 ? 0 : done / seconds;
    }

    private void draw(long now) {
        double rate = ratePerSecond();
        String eta = rate <= 0 || total <= 0 ? "?" : formatSeconds((total - done) / rate);
        String line;
        if (total > 0) {
            int width = 30;
            int filled = (int) Math.min(width, width * done / total);
            line = String.format(Locale.ROOT, "%s [%s%s] %d/%d %5.1f%%  %.1f/s  ETA %s", what, "#".repeat(filled),
                    " ".repeat(width - filled), done, total, 100.0 * done / total, rate, eta);
        } else {
            line = String.format(Locale.ROOT, "%s %d  %.1f/s", what, done, rate);
        }
        err.print(terminal ? "\r" + line : line + System.lineSeparator());
        if (terminal && done >= total) {
            err.println();
        }
        err.flush();
    }

    private static String formatSeconds(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
