package io.finsent.cli.replay;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.finsent.common.Topics;
import io.finsent.ingest.ItemValidation;
import io.finsent.ingest.archive.ArchiveFormat;
import io.finsent.ingest.archive.ArchiveReader;
import io.finsent.ingest.archive.ArchiveRow;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;

/**
 * Writes the valid items of archive files whose publication time lies in the replay's range to the run's own raw
 * topic, keyed by id, timestamped with the publication time, each id once: the same validation as
 * {@code ./monitor import}, but never into the live {@code text.raw}. Invalid rows are skipped (an import reports them).
 */
final class ArchiveStaging {

    private static final int MAX_ROW_BYTES = 1 << 20;

    private ArchiveStaging() {
    }

    /** @return items written */
    static long stage(List<Path> files, String topic, String bootstrap, Instant from, Instant to) {
        ItemValidation validation = new ItemValidation(ItemValidation.Rules.defaults(Clock.systemUTC()));
        Set<String> seen = new HashSet<>();
        long written = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 20),
                new StringSerializer(), new ByteArraySerializer())) {
            for (Path file : files) {
                try (ArchiveReader reader = ArchiveReader.open(file, ArchiveFormat.byExtension(file), MAX_ROW_BYTES)) {
                    while (reader.hasNext()) {
                        ArchiveRow row = reader.next();
                        if (!row.parsed() || !(validation.fromJson(row.node(), SourceKind.ARCHIVE, null) instanceof ItemValidation.Valid valid)) {
                            continue;
                        }
                        RawText item = valid.item();
                        long at = item.getPublishedAt().toEpochMilli();
                        if (at < from.toEpochMilli() || at >= to.toEpochMilli() || !seen.add(item.getId())) {
                            continue;
                        }
                        producer.send(new ProducerRecord<>(topic, null, at, item.getId(),
                                Topics.RAW_TEXT.valueSerde().serializer().serialize(topic, item)));
                        written++;
                    }
                }
            }
            producer.flush();
        }
        return written;
    }
}
