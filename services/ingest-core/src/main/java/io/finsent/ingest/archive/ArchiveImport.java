package io.finsent.ingest.archive;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
        try (Run run = options.dryRun() ? new Run(null, null) : openRun(files)) {
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
        Run run = new Run(keys, transactionalId);
        boolean ok = false;
        try {
            // Fencing first completes or aborts whatever an earlier, killed run of these files left open.
            // A broker that is not there at all is reported sooner than one that goes away mid-import.
            run.producer = run.initProducer(options.brokerWait().compareTo(FIRST_CONNECT_WAIT) < 0 ? options.brokerWait() : FIRST_CONNECT_WAIT);
            run.retentionMs = retentionOf(Topics.RAW_TEXT.name());
            keys.catchUp(options.brokerWait());
            LOG.infof("import %s: %d keys already in %s and %s", transactionalId, keys.size(), Topics.RAW_TEXT.name(), Topics.DEAD_LETTERS.name());
            ok = true;
            return run;
        } finally {
            if (!ok) {
                run.close();
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

    /** One import's state: the counts, the batch being built, and the producer. */
    private final class Run implements AutoCloseable {
        final PublishedKeys keys;
        final String transactionalId;
        final Set<String> seen = new HashSet<>();
        final List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        final List<String> batchKeys = new ArrayList<>();
        final List<RowError> errors = new ArrayList<>();
        KafkaProducer<byte[], byte[]> producer;
        long valid;
        long invalid;
        long duplicates;
        long alreadyPublished;
        long deadLettered;
        long blankLines;
        long published;
        int recoveries;
        int batchRaw;
        long retentionMs = -1;
        long olderThanRetention;

        Run(PublishedKeys keys, String transactionalId) {
            this.keys = keys;
            this.transactionalId = transactionalId;
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
                    Topics.RAW_TEXT.keySerde().serializer().serialize(Topics.RAW_TEXT.name(), item.getId()), value));
            batchKeys.add(item.getId());
            batchRaw++;
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
                    Topics.DEAD_LETTERS.valueSerde().serializer().serialize(Topics.DEAD_LETTERS.name(), letter)));
            batchKeys.add(key);
        }

        /** Publishes the batch in one transaction; after a failure, waits for the broker and publishes what did not commit. */
        void flush(Progress progress) throws InterruptedException {
            if (batch.isEmpty()) {
                return;
            }
            if (keys == null) {
                batch.clear();
                batchKeys.clear();
                return;
            }
            int raw = batchRaw;
            int dead = batch.size() - raw;
            long giveUpAt = System.nanoTime() + options.brokerWait().toNanos();
            while (true) {
                try {
                    send();
                    break;
                } catch (ProducerFencedException | InvalidProducerEpochException e) {
                    throw new ArchiveImportException("another import of the same files took over (transactional id " + transactionalId
                            + "); let it finish, or stop it and run this one again", e);
                } catch (AuthorizationException | UnsupportedVersionException | RecordTooLargeException | SerializationException e) {
                    throw new ArchiveImportException("the broker refused the batch: " + e.getMessage(), e);
                } catch (KafkaException e) {
                    recoveries++;
                    String reason = e.getMessage() + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : "");
                    if (System.nanoTime() > giveUpAt) {
                        throw new ArchiveImportException("a batch kept failing for " + options.brokerWait().toSeconds() + " s, the last time with: "
                                + reason + "; a later run of the same command resumes where this one stopped", e);
                    }
                    LOG.warnf("import %s: a transaction failed (%s); waiting for the broker to resume", transactionalId, reason);
                    progress.recovering(reason);
                    recover();
                    if (batch.isEmpty()) {
                        break;
                    }
                }
            }
            published += raw;
            deadLettered += dead;
            for (String key : batchKeys) {
                keys.add(key);
            }
            batch.clear();
            batchKeys.clear();
            batchRaw = 0;
        }

        private void send() {
            AtomicReference<Exception> failed = new AtomicReference<>();
            producer.beginTransaction();
            for (ProducerRecord<byte[], byte[]> record : batch) {
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        failed.compareAndSet(null, e);
                    }
                });
            }
            producer.commitTransaction();
            if (failed.get() != null) {
                // commitTransaction throws when a send failed; this is a second line of defence.
                throw new KafkaException("a record of the batch was not written: " + failed.get().getMessage(), failed.get());
            }
        }

        /**
         * A new producer with the same transactional id fences the old one, which completes or aborts its
         * open transaction; reading on from the last read position then shows what that transaction
         * committed. The batch keeps only what did not commit.
         */
        private void recover() throws InterruptedException {
            producer.close(Duration.ZERO);
            producer = initProducer();
            keys.catchUp(options.brokerWait());
            List<ProducerRecord<byte[], byte[]>> rest = new ArrayList<>();
            List<String> restKeys = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (!keys.contains(batchKeys.get(i))) {
                    rest.add(batch.get(i));
                    restKeys.add(batchKeys.get(i));
                }
            }
            LOG.infof("import %s: the broker is back; %d of %d records of the failed batch had committed", transactionalId,
                    batch.size() - rest.size(), batch.size());
            batch.clear();
            batch.addAll(rest);
            batchKeys.clear();
            batchKeys.addAll(restKeys);
        }

        KafkaProducer<byte[], byte[]> initProducer() throws InterruptedException {
            return initProducer(options.brokerWait());
        }

        KafkaProducer<byte[], byte[]> initProducer(Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            KafkaException last = null;
            while (System.nanoTime() < deadline) {
                KafkaProducer<byte[], byte[]> candidate = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
                try {
                    candidate.initTransactions();
                    return candidate;
                } catch (KafkaException e) {
                    last = e;
                    candidate.close(Duration.ZERO);
                    Thread.sleep(500);
                }
            }
            throw new ArchiveImportException("the broker at " + options.bootstrapServers() + " did not answer within "
                    + wait.toSeconds() + " s (" + (last == null ? "no attempt" : last.getMessage())
                    + "); start it (./monitor up) or pass --bootstrap-servers; a later run of the same command resumes where this one stopped", last);
        }

        private Properties producerConfig() {
            Properties p = new Properties();
            p.putAll(options.kafka().producer());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
            // Short timeouts: a dead broker shows within seconds, and recover() takes over from there.
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
            return p;
        }

        @Override
        public void close() {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        }
    }
}
