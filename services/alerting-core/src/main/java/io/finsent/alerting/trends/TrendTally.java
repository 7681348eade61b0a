package io.finsent.alerting.trends;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import io.finsent.schema.TopicTrendWindow;

/**
 * The running aggregate of one topic's window, in integers only: counts per label, and sums of the score, its
 * square and the negative probability in fixed point. Integer addition is associative and exact, so the final
 * window is the same whatever order, batches or threads delivered its texts; means and the standard deviation
 * are computed from the sums once, at emission. Sums are checked for overflow (an ArithmeticException rather
 * than a wrong number).
 */
final class TrendTally {

    private static final byte VERSION = 1;
    private static final double SCALE = TopicMention.SCALE;

    static final Serde<TrendTally> SERDE = Serdes.serdeFrom(
            (topic, tally) -> tally == null ? null : tally.toBytes(),
            (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

    private long count;
    private long negative;
    private long neutral;
    private long positive;
    private long scoreSum;
    private long pNegativeSum;
    /** Sum of squared scores in units of 1e-18: up to 1e18 per text, so beyond a long after 9 texts. */
    private BigInteger scoreSquareSum = BigInteger.ZERO;

    TrendTally add(TopicMention mention) {
        count = Math.addExact(count, 1);
        switch (mention.label()) {
            case NEGATIVE -> negative++;
            case NEUTRAL -> neutral++;
            case POSITIVE -> positive++;
        }
        scoreSum = Math.addExact(scoreSum, mention.scoreNanos());
        pNegativeSum = Math.addExact(pNegativeSum, mention.pNegativeNanos());
        BigInteger score = BigInteger.valueOf(mention.scoreNanos());
        scoreSquareSum = scoreSquareSum.add(score.multiply(score));
        return this;
    }

    long count() {
        return count;
    }

    /** The window as a record; {@code count} is at least 1 (an aggregate exists only once a text arrived). */
    TopicTrendWindow toWindow(String runId, String topic, long windowStart, long windowSizeMs) {
        double n = count;
        double meanScore = scoreSum / SCALE / n;
        // Population variance from exact integers: (n·Σs² − (Σs)²) / n², in units of 1e-18.
        BigInteger spread = scoreSquareSum.multiply(BigInteger.valueOf(count))
                .subtract(BigInteger.valueOf(scoreSum).multiply(BigInteger.valueOf(scoreSum)));
        double variance = spread.signum() <= 0 ? 0 : spread.doubleValue() / (n * n) / (SCALE * SCALE);
        return TopicTrendWindow.newBuilder()
                .setRunId(runId)
                .setTopic(topic)
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowSizeMs(windowSizeMs)
                .setCount(count)
                .setNegative(negative)
                .setNeutral(neutral)
                .setPositive(positive)
                .setMeanScore(meanScore)
                .setScoreStddev(Math.sqrt(variance))
                .setMeanPNegative(pNegativeSum / SCALE / n)
                .build();
    }

    private byte[] toBytes() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(72);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(VERSION);
            out.writeLong(count);
            out.writeLong(negative);
            out.writeLong(neutral);
            out.writeLong(positive);
            out.writeLong(scoreSum);
            out.writeLong(pNegativeSum);
            byte[] squares = scoreSquareSum.toByteArray();
            out.writeInt(squares.length);
            out.write(squares);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private static TrendTally fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("trend tally of unknown version " + version + " (this reader knows " + VERSION + ")");
            }
            TrendTally tally = new TrendTally();
            tally.count = in.readLong();
            tally.negative = in.readLong();
            tally.neutral = in.readLong();
            tally.positive = in.readLong();
            tally.scoreSum = in.readLong();
            tally.pNegativeSum = in.readLong();
            byte[] squares = new byte[in.readInt()];
            in.readFully(squares);
            tally.scoreSquareSum = new BigInteger(squares);
            return tally;
        } catch (IOException | NumberFormatException | NegativeArraySizeException e) {
            throw new SerializationException("corrupt trend tally (" + bytes.length + " bytes): " + e, e);
        }
    }
}
