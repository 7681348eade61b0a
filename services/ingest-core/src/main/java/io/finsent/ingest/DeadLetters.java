package io.finsent.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

import io.finsent.schema.DeadLetter;

/**
 * Dead letters of the ingest stages: the reason, where it failed and the original bytes, so nothing is
 * dropped in silence and an operator can fix and re-drive it. Input larger than {@link #MAX_ORIGINAL_BYTES}
 * keeps its first bytes only (the reason says so), as a dead letter must fit in a Kafka record.
 */
public final class DeadLetters {

    public static final String STAGE_ARCHIVE = "ingest.archive";
    public static final String STAGE_PUSH = "ingest.push";
    public static final String STAGE_FEED = "ingest.feed";
    public static final int MAX_ORIGINAL_BYTES = 256 * 1024;

    private DeadLetters() {
    }

    public static DeadLetter of(String stage, String reason, String source, byte[] original, Instant occurredAt) {
        byte[] kept = original;
        String why = reason;
        if (original != null && original.length > MAX_ORIGINAL_BYTES) {
            kept = Arrays.copyOf(original, MAX_ORIGINAL_BYTES);
            why = reason + " (original_value holds the first " + MAX_ORIGINAL_BYTES + " of " + original.length + " bytes)";
        }
        return DeadLetter.newBuilder()
                .setStage(stage)
                .setReason(why)
                .setSource(source)
                .setOriginalValue(kept == null ? null : ByteBuffer.wrap(kept))
                .setOccurredAt(Instant.ofEpochMilli(occurredAt.toEpochMilli()))
                .build();
    }

    /**
     * The Kafka key of an ingest dead letter: input that never reached a topic has no key of its own, so
     * the key is a hash of the stage and the bytes: re-reading the same bad input, from any path, gives the
     * same key, which lets the archive import publish each dead letter once.
     */
    public static String keyOf(String stage, byte[] original) {
        byte[] s = stage.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(s, s.length + 1 + (original == null ? 0 : original.length));
        if (original != null) {
            System.arraycopy(original, 0, all, s.length + 1, original.length);
        }
        return "dl-" + ItemIds.ofBytes(all);
    }
}
