package io.finsent.ingest.archive;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import io.finsent.common.KafkaConnection;
import io.finsent.common.Topics;
import io.finsent.ingest.DeadLetters;
import io.finsent.ingest.ItemIds;
import io.finsent.ingest.ItemValidation;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;

/**
 * Publishes archive files (JSONL or CSV with the news_stream fields) to {@code text.raw}, each item
 * with its original publication time as the record timestamp and its id as the key, and every refused
 * row to {@code text.dlq} with the reason and the row's bytes.
 *
 * <p>Exactly once, across re-runs and broker restarts, without a checkpoint file: the import first reads
 * back (read_committed) the keys already in both topics and skips them, then writes batches in
 * transactions with an idempotent, acks=all producer. When a batch fails (the broker went away), the
 * import waits for the broker, fences its earlier producer (same transactional id, which completes or
 * aborts the open transaction), reads on from where it last read to learn which keys that transaction
 * committed, and sends the rest of the batch again. A second run of the same file therefore publishes
 * nothing new, and a broker restart in the middle loses nothing and doubles nothing.
 */
public final class ArchiveImport {

    public static final int MAX_REPORTED_ERRORS = 10_000;
    private static final Duration FIRST_CONNECT_WAIT = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(ArchiveImport.class);

    /**
     * @param bootstrapServers Kafka; unused by a dry run
     * @param rowsPerSecond    at most this many rows per second, 0 for no limit
     * @param batchSize        rows per transaction
     * @param brokerWait       how long to wait for the broker after a failure before giving up
     * @param maxRowBytes      longer rows are refused (and dead-lettered with their first bytes)
     * @param format           null: by each file's extension
     * @param kafkaSettings    client settings (security etc.) of every client the import makes; see {@link KafkaConnection}
     */
    public record Options(String bootstrapServers, double rowsPerSecond, boolean dryRun, int batchSize, Duration brokerWait,
            int maxRowBytes, ArchiveFormat format, Map<String, ?> kafkaSettings) {

        public static Options defaults(String bootstrapServers) {
            return new Options(bootstrapServers, 0, false, 500, Duration.ofMinutes(2), 1 << 20, null, Map.of());
        }

        public Options withRate(double perSecond) {
            return new Options(bootstrapServers, perSecond, dryRun, batchSize, brokerWait, maxRowBytes, format, kafkaSettings);
        }

        public Options withDryRun(boolean dry) {
            return new Options(bootstrapServers, rowsPerSecond, dry, batchSize, brokerWait, maxRowBytes, format, kafkaSettings);
        }

        public Options withBatchSize(int rows) {
            return new Options(bootstrapServers, rowsPerSecond, dryRun, rows, brokerWait, maxRowBytes, format, kafkaSettings);
        }

        public Options withFormat(ArchiveFormat f) {
            return new Options(bootstrapServers, rowsPerSecond, dryRun, batchSize, brokerWait, maxRowBytes, f, kafkaSettings);
        }

        public Options withKafkaSettings(Map<String, ?> settings) {
            return new Options(bootstrapServers, rowsPerSecond, dryRun, batchSize, brokerWait, maxRowBytes, format, settings);
        }

        KafkaConnection kafka() {
            return new KafkaConnection(bootstrapServers, kafkaSettings);
        }

        public Options withBrokerWait(Duration wait) {
            return new Options(bootstrapServers, rowsPerSecond, dryRun, batchSize, wait, maxRowBytes, format, kafkaSettings);
        }
    }

    /** Told of progress, e.g. to draw a progress bar. */
    public interface Progress {
        Progress NONE = new Progress() {
        };

        default void rows(long count) {
        }

        /** The broker failed mid-batch; the import is waiting for it. */
        default void recovering(String reason) {
        }
    }

    private final Options options;
    private final ItemValidation validation;
    private final Clock clock;

    public ArchiveImport(Options options, Clock clock) {
        if (options.batchSize() <= 0) {
            throw new IllegalArgumentException("the batch size must be positive, got " + options.batchSize());
        }
        this.options = options;
        this.clock = clock;
        this.validation = new ItemValidation(ItemValidation.Rules.defaults(clock));
    }

    /** Total lines of the files, for a progress bar. */
    public static long countLines(List<Path> files) {
        long total = 0;
        for (Path file : files) {
            total += ArchiveReader.countLines(file);
        }
        return total;
    }

    public ImportReport run(List<Path> files, Progress progress) throws InterruptedException {
        long started = System.nanoTime();
        for (Path file : files) {
            // Fail on a missing file or an unreadable header before publishing anything.
            ArchiveReader.open(file, formatOf(file), options.maxRowBytes()).close();
        }
        try (Run run = options.dryRun() ? new Run(null, null, -1) : openRun(files)) {
            RateLimit rate = new RateLimit(options.rowsPerSecond());
            for (Path file : files) {
                try (ArchiveReader reader = ArchiveReader.open(file, formatOf(file), options.maxRowBytes())) {
                    while (reader.hasNext()) {
                        rate.acquire();
                        run.accept(file, reader.next());
                        progress.rows(1);
                        if (run.batch.size() >= options.batchSize()) {
                            run.flush(progress);
                        }
                    }
                    run.blankLines += reader.blankLines();
                }
            }
            run.flush(progress);
            if (run.olderThanRetention > 0) {
                LOG.warnf("%d published items are older than the retention of %s (retention.ms=%d): the broker deletes a segment once"
                        + " its newest record timestamp is past the retention, so these records will be deleted within minutes of their"
                        + " segment rolling. Keep archives in a topic whose retention covers them (retention.ms=-1 with retention.bytes)",
                        run.olderThanRetention, Topics.RAW_TEXT.name(), run.retentionMs);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            return new ImportReport(options.dryRun(), run.valid, run.invalid, run.duplicates, run.published, run.alreadyPublished,
                    run.deadLettered, run.blankLines, run.olderThanRetention, List.copyOf(run.errors), seconds, run.recoveries);
        }
    }

    private ArchiveFormat formatOf(Path file) {
        return options.format() != null ? options.format() : ArchiveFormat.byExtension(file);
    }

    private Run openRun(List<Path> files) throws InterruptedException {
        String transactionalId = "finsent-import-" + ItemIds.ofBytes(files.stream().map(f -> f.toAbsolutePath().normalize().toString())
                .sorted().reduce((a, b) -> a + "\n" + b).orElse("").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        PublishedKeys keys = new PublishedKeys(options.kafka(), List.of(Topics.RAW_TEXT.name(), Topics.DEAD_LETTERS.name()));
        // A broker that is not there at all is reported sooner than one that goes away mid-import.
        TransactionalImportProducer producer = new TransactionalImportProducer(options, transactionalId,
                options.brokerWait().compareTo(FIRST_CONNECT_WAIT) < 0 ? options.brokerWait() : FIRST_CONNECT_WAIT);
        boolean ok = false;
        try {
            Run run = new Run(keys, producer, retentionOf(Topics.RAW_TEXT.name()));
            keys.catchUp(options.brokerWait());
            LOG.infof("import %s: %d keys already in %s and %s", transactionalId, keys.size(), Topics.RAW_TEXT.name(), Topics.DEAD_LETTERS.name());
            ok = true;
            return run;
        } finally {
            if (!ok) {
                producer.close();
            }
        }
    }

    /** The topic's retention.ms (-1: unlimited), or -1 when the broker will not say. */
    private long retentionOf(String topic) {
        try (Admin admin = Admin.create(options.kafka().admin())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(options.brokerWait().toSeconds(), TimeUnit.SECONDS).get(resource);
            ConfigEntry entry = config == null ? null : config.get(TopicConfig.RETENTION_MS_CONFIG);
            return entry == null || entry.value() == null ? -1 : Long.parseLong(entry.value());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveImportException("interrupted while reading the configuration of " + topic);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | NumberFormatException e) {
            LOG.warnf("cannot read retention.ms of %s (%s); not checking publication times against it", topic, e.getMessage());
            return -1;
        }
    }

    /** One import's counts and the batch being built; a dry run has no keys and no producer. */
    private final class Run implements AutoCloseable {
        final PublishedKeys keys;
        final TransactionalImportProducer producer;
        final long retentionMs;
        final Set<String> seen = new HashSet<>();
        final ImportBatch batch = new ImportBatch();
        final List<RowError> errors = new ArrayList<>();
        long valid;
        long invalid;
        long duplicates;
        long alreadyPublished;
        long deadLettered;
        long blankLines;
        long published;
        int recoveries;
        long olderThanRetention;

        /** @param retentionMs the raw topic's retention (-1: unlimited or unknown) */
        Run(PublishedKeys keys, TransactionalImportProducer producer, long retentionMs) {
            this.keys = keys;
            this.producer = producer;
            this.retentionMs = retentionMs;
        }

        void accept(Path file, ArchiveRow row) {
            String source = file.toString();
            if (!row.parsed()) {
                refuse(file, row, row.error());
                return;
            }
            ItemValidation.Result result = validation.fromJson(row.node(), SourceKind.ARCHIVE, null);
            if (result instanceof ItemValidation.Invalid bad) {
                refuse(file, row, bad.reason());
                return;
            }
            RawText item = ((ItemValidation.Valid) result).item();
            if (!seen.add(item.getId())) {
                duplicates++;
                return;
            }
            valid++;
            if (keys == null) {
                return;
            }
            if (keys.contains(item.getId())) {
                alreadyPublished++;
                return;
            }
            if (retentionMs >= 0 && item.getPublishedAt().toEpochMilli() < clock.millis() - retentionMs) {
                olderThanRetention++;
            }
            byte[] value = Topics.RAW_TEXT.valueSerde().serializer().serialize(Topics.RAW_TEXT.name(), item);
            batch.add(new ProducerRecord<>(Topics.RAW_TEXT.name(), null, item.getPublishedAt().toEpochMilli(),
                    Topics.RAW_TEXT.keySerde().serializer().serialize(Topics.RAW_TEXT.name(), item.getId()), value), item.getId());
            LOG.tracef("%s line %d: %s", source, row.line(), item.getId());
        }

        private void refuse(Path file, ArchiveRow row, String reason) {
            invalid++;
            if (errors.size() < MAX_REPORTED_ERRORS) {
                errors.add(new RowError(file, row.line(), reason));
            }
            if (keys == null) {
                return;
            }
            String key = DeadLetters.keyOf(DeadLetters.STAGE_ARCHIVE, row.original());
            if (!seen.add(key) || keys.contains(key)) {
                return;
            }
            DeadLetter letter = DeadLetters.of(DeadLetters.STAGE_ARCHIVE, "line " + row.line() + ": " + reason, file.toString(),
                    row.original(), clock.instant());
            batch.add(new ProducerRecord<>(Topics.DEAD_LETTERS.name(), null,
                    Topics.DEAD_LETTERS.keySerde().serializer().serialize(Topics.DEAD_LETTERS.name(), key),
                    Topics.DEAD_LETTERS.valueSerde().serializer().serialize(Topics.DEAD_LETTERS.name(), letter)), key);
        }

        /** Publishes the batch in one transaction (a dry run drops it); a failed one is recovered by the producer. */
        void flush(Progress progress) throws InterruptedException {
            if (batch.isEmpty()) {
                return;
            }
            if (keys == null) {
                batch.clear();
                return;
            }
            long raw = batch.rawTexts();
            long dead = batch.deadLetters();
            recoveries += producer.publish(batch, keys, progress);
            published += raw;
            deadLettered += dead;
            for (String key : batch.keys()) {
                keys.add(key);
            }
            batch.clear();
        }

        @Override
        public void close() {
            if (producer != null) {
                producer.close();
            }
        }
    }
}
