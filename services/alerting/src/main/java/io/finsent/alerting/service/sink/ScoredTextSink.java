package io.finsent.alerting.service.sink;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.jboss.logging.Logger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.service.AlertingProducer;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.ScoredTextTable;
import io.finsent.alerting.trends.ScoredTopics;
import io.finsent.common.StorableText;
import io.finsent.common.Topics;
import io.finsent.schema.ScoredText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;

/**
 * Every run's scored texts into PostgreSQL ({@code scored_text}, under each topic in {@code scored_text_topic}): what an
 * alert's evidence and the texts API read. It reads {@code text.scored} and every replay's {@code replay.RUN.scored}
 * ({@link ScoredTopics#ALL}, new replays found within {@code alerting.texts.metadata-refresh}), through a
 * {@link DatabaseSinkLoop}: a partition's polled records in one transaction, nothing skipped while PostgreSQL is away, a
 * redelivery writes nothing twice. A record it cannot read, or that PostgreSQL refuses, goes to text.dlq with its
 * original bytes. Live texts are kept {@code alerting.texts.retention} after they were stored; a replay's go with
 * {@code replay delete}.
 */
@ApplicationScoped
public class ScoredTextSink {

    private static final Logger LOG = Logger.getLogger(ScoredTextSink.class);
    private static final long SEND_TIMEOUT_MS = 30_000;
    /** Rows one retention statement deletes (a short transaction, repeated until none is left). */
    private static final int RETENTION_BATCH = 5_000;

    private final Jdbi jdbi;
    private final AlertingProducer producer;
    private final AlertingConfig.Texts config;
    private final DatabaseSinkLoop loop;
    private final Counter written;
    private final Counter deadLetters;
    private final String ownRun;

    ScoredTextSink(Jdbi jdbi, AlertingProducer producer, AlertingConfig config, MeterRegistry registry,
            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.jdbi = jdbi;
        this.producer = producer;
        this.config = config.texts();
        this.ownRun = config.runId();
        this.loop = new DatabaseSinkLoop("finsent-alerting-texts", this.config.groupId(), config.sink(), kafka,
                c -> c.subscribe(ScoredTopics.ALL), this::handle);
        loop.consumerSettings().put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) this.config.metadataRefresh().toMillis());
        this.written = Counter.builder("finsent.alerting.texts.written").description("scored texts written to PostgreSQL (new rows)")
                .register(registry);
        this.deadLetters = Counter.builder("finsent.alerting.texts.dead.letters").description("scored text records sent to text.dlq")
                .register(registry);
        Gauge.builder("finsent.alerting.texts.lag", loop, DatabaseSinkLoop::lag).description("scored texts not yet written to PostgreSQL")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        loop.start(config.enabled(), "alerting.texts.enabled=false, alerts carry no evidence texts");
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        loop.stop();
    }

    /** The sink's loop: its health, lag and last database problem. */
    DatabaseSinkLoop loop() {
        return loop;
    }

    /** Retention of the service's own run's texts (live); a failure is logged and the next round tries again. */
    @Scheduled(every = "${alerting.texts.retention-every}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            identity = "scored-text-retention")
    void expire() {
        if (!config.enabled()) {
            return;
        }
        Instant before = Instant.now().minus(config.retention());
        long total = 0;
        try {
            ScoredTextTable table = jdbi.onDemand(ScoredTextTable.class);
            int n;
            do {
                n = table.deleteStoredBefore(ownRun, before, RETENTION_BATCH);
                total += n;
            } while (n == RETENTION_BATCH);
        } catch (JdbiException e) {
            LOG.warnf("scored text retention failed (tried again in %s): %s", config.retentionEvery(), AlertingStore.reason(e));
        }
        if (total > 0) {
            LOG.infof("scored text retention: %d live texts stored before %s deleted", total, before);
        }
    }

    /** One partition's records: the readable ones in one transaction, the others dead-lettered. @return how many are done */
    private int handle(List<ConsumerRecord<byte[], byte[]>> records) throws InterruptedException {
        String topic = records.get(0).topic();
        // text.scored holds the service's own run (alerting.run-id, live unless told otherwise), as its trend windows do
        String run = topic.equals(Topics.SCORED_TEXT.name()) ? ownRun : ScoredTopics.runOf(topic).orElseThrow();
        List<ScoredTextTable.Text> texts = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> unreadable = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (record.value() == null) {
                continue;
            }
            Decoded decoded = decode(record);
            if (decoded.text() != null) {
                texts.add(decoded.text());
            } else {
                reasons.add(decoded.refused());
                unreadable.add(record);
            }
        }
        try {
            written.increment(insert(run, texts));
        } catch (SQLException e) {
            if (!DatabaseSinkLoop.permanent(e)) {
                loop.unavailable("PostgreSQL: " + e.getMessage());
                return 0;
            }
            // One refused text fails the whole batch: write them one by one, and dead-letter those PostgreSQL refuses.
            Optional<Integer> oneByOne = oneByOne(run, records);
            if (oneByOne.isPresent()) {
                return oneByOne.get();
            }
            return records.size();
        }
        for (int i = 0; i < unreadable.size(); i++) {
            if (!deadLetter(unreadable.get(i), reasons.get(i))) {
                return 0; // written rows stay; the retry writes nothing twice
            }
        }
        loop.written();
        return records.size();
    }

    /** After a refused batch. @return empty when all are done, else how many are done before one that must be retried */
    private Optional<Integer> oneByOne(String run, List<ConsumerRecord<byte[], byte[]>> records) throws InterruptedException {
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            if (record.value() == null) {
                continue;
            }
            Decoded decoded = decode(record);
            String reason = decoded.refused();
            if (decoded.text() != null) {
                try {
                    written.increment(insert(run, List.of(decoded.text())));
                    continue;
                } catch (SQLException e) {
                    if (!DatabaseSinkLoop.permanent(e)) {
                        loop.unavailable("PostgreSQL: " + e.getMessage());
                        return Optional.of(i);
                    }
                    reason = "PostgreSQL refused the text: " + e.getMessage();
                }
            }
            if (!deadLetter(record, reason)) {
                return Optional.of(i);
            }
        }
        loop.written();
        return Optional.empty();
    }

    /** @return texts written that were not there before */
    private int insert(String run, List<ScoredTextTable.Text> texts) throws SQLException {
        if (texts.isEmpty()) {
            return 0;
        }
        List<ScoredTextTable.TopicRow> topics = new ArrayList<>();
        for (ScoredTextTable.Text t : texts) {
            for (String topic : t.topics()) {
                topics.add(new ScoredTextTable.TopicRow(topic, t.publishedAt(), t.textId()));
            }
        }
        return AlertingStore.inTransaction(jdbi, h -> {
            ScoredTextTable table = h.attach(ScoredTextTable.class);
            int n = 0;
            for (int i = 0; i < texts.size(); i += ScoredTextTable.MAX_ROWS_PER_INSERT) {
                n += table.insert(run, texts.subList(i, Math.min(texts.size(), i + ScoredTextTable.MAX_ROWS_PER_INSERT)));
            }
            for (int i = 0; i < topics.size(); i += ScoredTextTable.MAX_TOPIC_ROWS_PER_INSERT) {
                table.insertTopics(run, topics.subList(i, Math.min(topics.size(), i + ScoredTextTable.MAX_TOPIC_ROWS_PER_INSERT)));
            }
            return n;
        });
    }

    private boolean deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) throws InterruptedException {
        return loop.deadLetter(producer, record, reason, deadLetters);
    }

    /** A record's row, or why it has none (exactly one of the two). */
    private record Decoded(ScoredTextTable.Text text, String refused) {
    }

    private static Decoded decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            ScoredText text = Topics.SCORED_TEXT.valueSerde().deserializer().deserialize(record.topic(), record.value());
            String invalid = invalid(text);
            return invalid == null ? new Decoded(ScoredTextTable.Text.of(text), null) : new Decoded(null, invalid);
        } catch (SerializationException e) {
            return new Decoded(null, "not a ScoredText: " + e.getMessage());
        }
    }

    private static String invalid(ScoredText t) {
        if (t.getId().isBlank()) {
            return "empty text id";
        }
        for (double p : new double[] {t.getPNegative(), t.getPNeutral(), t.getPPositive(), t.getScore()}) {
            if (!Double.isFinite(p)) {
                return "a probability or the score is not a finite number";
            }
        }
        String[][] fields = {{"id", t.getId()}, {"source", t.getSource()}, {"title", t.getTitle()}, {"url", t.getUrl()}, {"body", t.getBody()}};
        for (String[] field : fields) {
            int refused = field[1] == null ? -1 : StorableText.firstRefused(field[1]);
            if (refused >= 0) {
                return "its " + field[0] + " holds " + StorableText.describe(field[1], refused) + ", which PostgreSQL cannot store";
            }
        }
        return null;
    }
}
