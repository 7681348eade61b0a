package io.finsent.ingest.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.finsent.common.Topics;
import io.finsent.schemas.TopicCatalogue;
import io.finsent.ingest.DeadLetters;
import io.finsent.ingest.ItemIds;
import io.finsent.local.LocalStack;
import io.finsent.local.testing.LocalStackExtension;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.RawText;

/**
 * The archive import against a real broker: each item lands in text.raw once, keyed by its id, at its
 * publication time; bad rows land in text.dlq with their reason and bytes; a second run publishes
 * nothing; a broker killed and restarted mid-import loses nothing and doubles nothing (read_committed).
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ArchiveImportIntegrationTest {

    private static final Instant BASE = Instant.now().minus(Duration.ofDays(7)).truncatedTo(java.time.temporal.ChronoUnit.DAYS);

    @TempDir
    Path dir;

    /** Rows with a source unique to this test, so tests sharing the broker do not see each other's ids. */
    private static List<String> rows(String source, int count) {
        List<String> rows = new ArrayList<>();
        // Recent times: text.raw keeps 30 days, and the broker deletes older records within minutes (time retention goes by record timestamp).
        Instant t = BASE;
        for (int i = 0; i < count; i++) {
            rows.add("{\"id\": \"tw-" + i + "\", \"published_at\": \"" + t.plusSeconds(i * 60L) + "\", \"source\": \"" + source
                    + "\", \"tickers\": [\"AAPL\"], \"headline\": \"Row " + i + " about $AAPL and $MSFT\", \"url\": \"https://x.test/" + i + "\"}");
        }
        return rows;
    }

    @Test
    void importsEachRowOnceAtItsPublicationTimeAndTheSecondRunPublishesNothing(LocalStack stack) throws Exception {
        String source = "it-" + UUID.randomUUID();
        List<String> lines = new ArrayList<>(rows(source, 300));
        String badJson = "{\"id\": \"broken\", ";
        String badTime = "{\"id\": \"late\", \"published_at\": \"2015-01-01T10:00:00\", \"source\": \"" + source + "\", \"headline\": \"x\"}";
        lines.add(100, badJson);
        lines.add(200, badTime);
        lines.add(rows(source, 1).get(0)); // a duplicate of row 0
        Path file = dir.resolve("archive.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        ArchiveImport.Options options = ArchiveImport.Options.defaults(stack.bootstrapServers()).withBatchSize(64);

        ImportReport first = new ArchiveImport(options, Clock.systemUTC()).run(List.of(file), ArchiveImport.Progress.NONE);

        assertThat(first.valid()).isEqualTo(300);
        assertThat(first.published()).isEqualTo(300);
        assertThat(first.duplicates()).isEqualTo(1);
        assertThat(first.invalid()).isEqualTo(2);
        assertThat(first.deadLettered()).isEqualTo(2);
        assertThat(first.olderThanRetention()).isZero();
        assertThat(first.errors()).extracting(RowError::line).containsExactly(101L, 201L);

        Map<String, List<ConsumerRecord<String, byte[]>>> raw = readCommitted(stack, Topics.RAW_TEXT.name());
        for (int i = 0; i < 300; i++) {
            String id = ItemIds.ofNativeId(source, "tw-" + i);
            assertThat(raw.get(id)).as(id).hasSize(1);
            ConsumerRecord<String, byte[]> record = raw.get(id).get(0);
            RawText item = Topics.RAW_TEXT.valueSerde().deserializer().deserialize(record.topic(), record.value());
            assertThat(record.timestamp()).isEqualTo(BASE.plusSeconds(i * 60L).toEpochMilli());
            assertThat(item.getId()).isEqualTo(id);
            assertThat(item.getTickers()).containsExactly("AAPL", "MSFT");
        }
        Map<String, List<ConsumerRecord<String, byte[]>>> dlq = readCommitted(stack, Topics.DEAD_LETTERS.name());
        for (String bad : List.of(badJson, badTime)) {
            byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
            List<ConsumerRecord<String, byte[]>> letters = dlq.get(DeadLetters.keyOf(DeadLetters.STAGE_ARCHIVE, bytes));
            assertThat(letters).hasSize(1);
            DeadLetter letter = Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(Topics.DEAD_LETTERS.name(), letters.get(0).value());
            assertThat(letter.getStage()).isEqualTo(DeadLetters.STAGE_ARCHIVE);
            assertThat(letter.getSource()).isEqualTo(file.toString());
            assertThat(bytesOf(letter)).isEqualTo(bytes);
            assertThat(letter.getReason()).startsWith("line " + (bad == badJson ? 101 : 201) + ": ");
        }
        assertThat(dlqReason(dlq, badTime)).contains("published_at").contains("no time zone");

        ImportReport second = new ArchiveImport(options, Clock.systemUTC()).run(List.of(file), ArchiveImport.Progress.NONE);

        assertThat(second.published()).isZero();
        assertThat(second.alreadyPublished()).isEqualTo(300);
        assertThat(second.deadLettered()).isZero();
        assertThat(second.invalid()).as("still reported").isEqualTo(2);
        Map<String, List<ConsumerRecord<String, byte[]>>> rawAfter = readCommitted(stack, Topics.RAW_TEXT.name());
        assertThat(countOf(rawAfter, source, 300)).isEqualTo(300);
    }

    @Test
    void aBrokerRestartDuringTheImportLosesNothingAndDoublesNothing(LocalStack stack) throws Exception {
        String source = "restart-" + UUID.randomUUID();
        int count = 6000;
        Path file = dir.resolve("restart.jsonl");
        Files.write(file, rows(source, count), StandardCharsets.UTF_8);
        // About 4 s of rows at 1,500 a second, in transactions of 100: the kill lands mid-import.
        ArchiveImport.Options options = ArchiveImport.Options.defaults(stack.bootstrapServers()).withBatchSize(100).withRate(1500)
                .withBrokerWait(Duration.ofSeconds(90));
        AtomicLong rowsDone = new AtomicLong();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<ImportReport> running = executor.submit(() -> new ArchiveImport(options, Clock.systemUTC()).run(List.of(file), new ArchiveImport.Progress() {
                @Override
                public void rows(long n) {
                    rowsDone.addAndGet(n);
                }
            }));
            while (rowsDone.get() < count / 4) {
                Thread.sleep(20);
            }

            stack.kafka().kill();
            long killedAt = rowsDone.get();
            Thread.sleep(2000);
            stack.kafka().restart();
            ImportReport report = running.get(120, TimeUnit.SECONDS);

            assertThat(killedAt).as("the broker died mid-import").isLessThan(count);
            assertThat(report.recoveries()).as("the import noticed the broker going away").isPositive();
            assertThat(report.valid()).isEqualTo(count);
            assertThat(report.published() + report.alreadyPublished()).isEqualTo(count);
        } finally {
            executor.shutdownNow();
            if (!stack.kafka().isAlive()) {
                stack.kafka().restart();
            }
        }
        Map<String, List<ConsumerRecord<String, byte[]>>> raw = readCommitted(stack, Topics.RAW_TEXT.name());
        List<String> missing = new ArrayList<>();
        List<String> doubled = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<ConsumerRecord<String, byte[]>> copies = raw.getOrDefault(ItemIds.ofNativeId(source, "tw-" + i), List.of());
            if (copies.isEmpty()) {
                missing.add("tw-" + i);
            } else if (copies.size() > 1) {
                doubled.add("tw-" + i);
            }
        }
        assertThat(missing).as("lost").isEmpty();
        assertThat(doubled).as("doubled").isEmpty();
    }

    @Test
    void underTheCataloguesSizeRetentionOldRowsAreKeptAndNotCounted(LocalStack stack) throws Exception {
        Path file = oldAndRecentRows("kept-" + UUID.randomUUID());

        ImportReport report = new ArchiveImport(ArchiveImport.Options.defaults(stack.bootstrapServers()), Clock.systemUTC())
                .run(List.of(file), ArchiveImport.Progress.NONE);

        assertThat(report.published()).isEqualTo(2);
        assertThat(report.olderThanRetention()).isZero();
    }

    @Test
    void rowsOlderThanATimeRetentionArePublishedButCounted(LocalStack stack) throws Exception {
        Path file = oldAndRecentRows("old-" + UUID.randomUUID());
        setRawRetention(stack, Long.toString(java.time.Duration.ofDays(30).toMillis()));
        try {
            ImportReport report = new ArchiveImport(ArchiveImport.Options.defaults(stack.bootstrapServers()), Clock.systemUTC())
                    .run(List.of(file), ArchiveImport.Progress.NONE);

            assertThat(report.published()).isEqualTo(2);
            assertThat(report.olderThanRetention()).isEqualTo(1);
        } finally {
            setRawRetention(stack, TopicCatalogue.load().topic(Topics.RAW_TEXT.name()).configs().get("retention.ms"));
        }
    }

    private Path oldAndRecentRows(String source) throws java.io.IOException {
        Path file = dir.resolve(source + ".jsonl");
        Files.writeString(file, "{\"id\": \"1\", \"published_at\": \"2015-06-01T00:00:00Z\", \"source\": \"" + source + "\", \"headline\": \"old\"}\n"
                + "{\"id\": \"2\", \"published_at\": \"" + BASE + "\", \"source\": \"" + source + "\", \"headline\": \"recent\"}\n");
        return file;
    }

    private static void setRawRetention(LocalStack stack, String retentionMs) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            var topic = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC,
                    Topics.RAW_TEXT.name());
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("retention.ms", retentionMs),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    private static long countOf(Map<String, List<ConsumerRecord<String, byte[]>>> raw, String source, int rows) {
        long n = 0;
        for (int i = 0; i < rows; i++) {
            n += raw.getOrDefault(ItemIds.ofNativeId(source, "tw-" + i), List.of()).size();
        }
        return n;
    }

    private static String dlqReason(Map<String, List<ConsumerRecord<String, byte[]>>> dlq, String line) {
        ConsumerRecord<String, byte[]> record = dlq.get(DeadLetters.keyOf(DeadLetters.STAGE_ARCHIVE, line.getBytes(StandardCharsets.UTF_8))).get(0);
        return Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(record.topic(), record.value()).getReason();
    }

    private static byte[] bytesOf(DeadLetter letter) {
        var buffer = letter.getOriginalValue().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** Every committed record of a topic, by key. */
    static Map<String, List<ConsumerRecord<String, byte[]>>> readCommitted(LocalStack stack, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, List<ConsumerRecord<String, byte[]>>> byKey = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Function<TopicPartition, Boolean> done = tp -> consumer.position(tp) >= ends.get(tp);
            while (!partitions.stream().allMatch(done::apply)) {
                assertThat(System.nanoTime()).as("read " + topic + " within 60 s").isLessThan(deadline);
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
                }
            }
        }
        return byKey;
    }
}
