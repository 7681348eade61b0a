package io.finsent.alerting.trends;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import io.finsent.schema.Sentiment;

/**
 * One scored text counted in one of its topics, on its way (through the repartition topic, keyed by topic) to
 * the window aggregate. Score and negative probability are fixed-point (units of 1e-9) so sums are exact and
 * independent of arrival order. Keeps the text's original record (key, bytes, where it was read) for a dead
 * letter if it turns out late.
 */
record TopicMention(Sentiment label, long scoreNanos, long pNegativeNanos, String itemKey, String originTopic, int originPartition,
                    long originOffset, byte[] original) {

    static final long SCALE = 1_000_000_000L;
    private static final byte VERSION = 1;

    static final Serde<TopicMention> SERDE = Serdes.serdeFrom(
            (topic, mention) -> mention == null ? null : mention.toBytes(),
            (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

    /**
     * A watermark on its way to every window task (key {@link EndOfInput#KEY}, timestamp the watermark): partition
     * {@code sourcePartition} of the scored topic has seen texts up to that time.
     */
    static TopicMention watermark(int sourcePartition) {
        return new TopicMention(Sentiment.NEUTRAL, 0, 0, EndOfInput.KEY, null, sourcePartition, -1, new byte[0]);
    }

    /**
     * Partition {@code sourcePartition} of the scored topic has had no text since {@code quietSince} (wall clock,
     * carried in {@code scoreNanos}): it may stop holding windows open until its next text.
     */
    static TopicMention idle(int sourcePartition, long quietSince) {
        return new TopicMention(Sentiment.NEUTRAL, quietSince, 0, EndOfInput.KEY, null, sourcePartition, IDLE, new byte[0]);
    }

    private static final long IDLE = -2;

    /** A watermark or an idle notice, not a text. */
    boolean isWatermark() {
        return EndOfInput.KEY.equals(itemKey);
    }

    boolean isIdle() {
        return isWatermark() && originOffset == IDLE;
    }

    /** {@code x} in units of 1e-9, rounded half up; callers pass values in [-1, 1]. */
    static long toNanos(double x) {
        return Math.round(x * SCALE);
    }

    private byte[] toBytes() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 + original.length);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(VERSION);
            out.writeByte(label.ordinal());
            out.writeLong(scoreNanos);
            out.writeLong(pNegativeNanos);
            writeNullable(out, itemKey);
            writeNullable(out, originTopic);
            out.writeInt(originPartition);
            out.writeLong(originOffset);
            out.writeInt(original.length);
            out.write(original);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private static TopicMention fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("topic mention of unknown version " + version + " (this reader knows " + VERSION + ")");
            }
            Sentiment label = Sentiment.values()[in.readByte()];
            long score = in.readLong();
            long pNegative = in.readLong();
            String itemKey = readNullable(in);
            String originTopic = readNullable(in);
            int partition = in.readInt();
            long offset = in.readLong();
            byte[] original = new byte[in.readInt()];
            in.readFully(original);
            return new TopicMention(label, score, pNegative, itemKey, originTopic, partition, offset, original);
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new SerializationException("corrupt topic mention (" + bytes.length + " bytes): " + e, e);
        }
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
