package io.finsent.replay;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.finsent.common.KafkaConnection;
import io.finsent.common.Topics;
import io.finsent.ingest.DeadLetters;
import io.finsent.ingest.ItemValidation;
import io.finsent.ingest.archive.ArchiveFormat;
import io.finsent.ingest.archive.ArchiveReader;
import io.finsent.ingest.archive.ArchiveRow;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;

/**
 * Writes the valid items of archive files whose publication time lies in the replay's range to the run's own raw
 * topic, keyed by id, timestamped with the publication time, each id once: the same validation as
 * {@code ./monitor import}, but never into the live {@code text.raw}. A row that cannot be parsed or is invalid becomes
 * a dead letter of the run (stage {@code ingest.archive}, the line and the reason, the row's bytes), as an import makes
 * one in {@code text.dlq}; it has no publication time to test against the range, so every bad row is one.
 */
final class ArchiveStaging {

    private static final int MAX_ROW_BYTES = 1 << 20;

    private ArchiveStaging() {
    }

    static Map<String, Object> producerConfig(KafkaConnection kafka) {
        Map<String, Object> config = Kafka.producerConfig(kafka);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        return config;
    }

    /** @return items written to {@code topic} (dead letters not counted) */
    static long stage(List<Path> files, String topic, String deadLetterTopic, KafkaConnection kafka, Instant from, Instant to) {
        ItemValidation validation = new ItemValidation(ItemValidation.Rules.defaults(Clock.systemUTC()));
        Set<String> seen = new HashSet<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback checked = (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        };
        long written = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(kafka), new StringSerializer(), new ByteArraySerializer())) {
            for (Path file : files) {
                try (ArchiveReader reader = ArchiveReader.open(file, ArchiveFormat.byExtension(file), MAX_ROW_BYTES)) {
                    while (reader.hasNext()) {
                        ArchiveRow row = reader.next();
                        ItemValidation.Result result = row.parsed() ? validation.fromJson(row.node(), SourceKind.ARCHIVE, null) : null;
                        if (!(result instanceof ItemValidation.Valid valid)) {
                            String reason = result instanceof ItemValidation.Invalid invalid ? invalid.reason() : row.error();
                            producer.send(deadLetter(deadLetterTopic, file, row, reason, from), checked);
                            continue;
                        }
                        RawText item = valid.item();
                        long at = item.getPublishedAt().toEpochMilli();
                        if (at < from.toEpochMilli() || at >= to.toEpochMilli() || !seen.add(item.getId())) {
                            continue;
                        }
                        producer.send(new ProducerRecord<>(topic, null, at, item.getId(),
                                Topics.RAW_TEXT.valueSerde().serializer().serialize(topic, item)), checked);
                        written++;
                    }
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            // A text missing from the run's raw topic would be missing from the run without a trace.
            throw new ReplayException("cannot stage the archive files into " + topic + ": " + failure.get().getMessage()
                    + "; delete the run (./monitor replay delete RUN) and start again", failure.get());
        }
        return written;
    }

    /** Timed at the range's start, not the wall clock, so that staging the same files again writes the same dead letter. */
    private static ProducerRecord<String, byte[]> deadLetter(String topic, Path file, ArchiveRow row, String reason, Instant from) {
        DeadLetter letter = DeadLetters.of(DeadLetters.STAGE_ARCHIVE, "line " + row.line() + ": " + reason, file.toString(), row.original(), from);
        return new ProducerRecord<>(topic, null, from.toEpochMilli(), DeadLetters.keyOf(DeadLetters.STAGE_ARCHIVE, row.original()),
                Topics.DEAD_LETTERS.valueSerde().serializer().serialize(topic, letter));
    }
}
