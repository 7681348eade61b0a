package io.finsent.alerting.service;

import static io.restassured.RestAssured.given;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.alerting.trends.TrendKey;
import io.finsent.alerting.trends.TrendPartitioner;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.common.Topics;
import io.finsent.schema.MatchReason;
import io.finsent.schema.ScoredText;
import io.finsent.schema.Sentiment;
import io.finsent.schema.SourceKind;
import io.finsent.schema.TopicMatch;
import io.finsent.schema.TopicTrendWindow;

/** Test helpers: records to Kafka through the project's serdes, SQL against a database, REST calls with keys. */
final class TestSupport {

    static final String ADMIN_KEY = "test-admin-key";
    static final long MINUTE = 60_000;

    private static KafkaProducer<byte[], byte[]> producer;

    private TestSupport() {
    }

    static synchronized KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        if (producer == null) {
            producer = new KafkaProducer<>(java.util.Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static <V extends SpecificRecord> byte[] bytes(Topics.Topic<V> topic, V value) {
        return topic.valueSerde().serializer().serialize(topic.name(), value);
    }

    /** A scored text about {@code topic}, published at {@code at}. */
    static ScoredText scored(String id, String topic, long at, Sentiment label, double pNegative, double pPositive) {
        return ScoredText.newBuilder()
                .setId(id).setSourceKind(SourceKind.PUSH).setSource("test").setPublishedAt(Instant.ofEpochMilli(at))
                .setTitle("t " + id).setTickers(List.of())
                .setTopics(List.of(TopicMatch.newBuilder().setTopic(topic).setReason(MatchReason.KEYWORD).setSimilarity(null).build()))
                .setLabel(label).setPNegative(pNegative).setPNeutral(1 - pNegative - pPositive).setPPositive(pPositive)
                .setScore(pPositive - pNegative).setWorstWindowPNegative(pNegative)
                .setModelName("test").setModelVersion("1").setWindows(1).setWindowsCapped(false).setTokens(5)
                .build();
    }

    /**
     * To text.scored, always partition 0: the trend topology sees the texts in the order sent (across partitions
     * its order is not the sending order, which would make "late" depend on scheduling).
     */
    static void publishScored(String bootstrapServers, ScoredText text) throws Exception {
        producer(bootstrapServers).send(new ProducerRecord<>(Topics.SCORED_TEXT.name(), 0, text.getPublishedAt().toEpochMilli(),
                text.getId().getBytes(), bytes(Topics.SCORED_TEXT, text))).get(30, TimeUnit.SECONDS);
    }

    /** A trend window with {@code count} texts, {@code negative} of them negative and the rest neutral. */
    static TopicTrendWindow window(String run, String topic, long start, long count, long negative) {
        double mean = count == 0 ? 0 : -(double) negative / count;
        return TopicTrendWindow.newBuilder().setRunId(run).setTopic(topic).setWindowStart(Instant.ofEpochMilli(start))
                .setWindowSizeMs(MINUTE).setCount(count).setNegative(negative).setNeutral(count - negative).setPositive(0)
                .setMeanScore(mean).setScoreStddev(0.1).setMeanPNegative(-mean).build();
    }

    /** To topic.trends as the trend topology writes it: key run|topic|start|size, partitioned on run|topic. */
    static void publishWindow(String bootstrapServers, TopicTrendWindow w) throws Exception {
        publishTrendBytes(bootstrapServers, w.getRunId(), w.getTopic(),
                new TrendKey(w.getRunId(), w.getTopic(), w.getWindowStart().toEpochMilli(), w.getWindowSizeMs()).toString(),
                bytes(Topics.TOPIC_TRENDS, w));
    }

    static void publishTrendBytes(String bootstrapServers, String run, String topic, String key, byte[] value) throws Exception {
        int partition = TrendPartitioner.partitionOf(run, topic, 6);
        producer(bootstrapServers).send(new ProducerRecord<>(Topics.TOPIC_TRENDS.name(), partition, null,
                key == null ? null : key.getBytes(), value)).get(30, TimeUnit.SECONDS);
    }

    /**
     * Thirty one-minute windows of two topics from {@code start}: {@code surging} turns 80 % negative with more than seven
     * times its volume in minutes 15 to 17 (the default rules fire on it), {@code calm} stays as it was (they never fire).
     */
    static List<TrendPoint> surgeAndCalm(String surging, String calm, long start) {
        List<TrendPoint> windows = new ArrayList<>();
        for (int m = 0; m < 30; m++) {
            boolean surge = m >= 15 && m < 18;
            windows.add(new TrendPoint(surging, start + m * MINUTE, MINUTE, surge ? 150 : 20, surge ? 120 : 4, surge ? 20 : 10, surge ? 10 : 6,
                    surge ? -0.6 : 0.1, 0.5));
            windows.add(new TrendPoint(calm, start + m * MINUTE, MINUTE, 20, 3, 10, 7, 0.15, 0.5));
        }
        return windows;
    }

    /** Stores trend windows of a run as the trend sink does (mean_p_negative: the negative share). */
    static void insertWindows(String jdbcUrl, String user, String run, Collection<TrendPoint> windows) {
        AlertingStore.jdbi(jdbcUrl, user).useTransaction(h -> {
            TrendWindowTable trends = h.attach(TrendWindowTable.class);
            for (TrendPoint w : windows) {
                trends.upsert(run, TrendWindowTable.TrendRow.of(w, w.negativeShare()));
            }
        });
    }

    /** Every record of a topic from the start, until {@code done} holds for what was read or the timeout. */
    static List<ConsumerRecord<byte[], byte[]>> readUntil(String bootstrapServers, String topic, Duration timeout,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(java.util.Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !done.test(read)) {
                c.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        return read;
    }

    static void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    /** A new analyst (created by the bootstrap admin): its id and key. */
    record Analyst(long id, String key) {
    }

    static Analyst newAnalyst(String name) {
        var r = given().header("X-Api-Key", ADMIN_KEY).contentType("application/json").body("{\"name\": \"" + name + "\"}")
                .post("/v1/analysts").then().statusCode(201).extract();
        return new Analyst(r.jsonPath().getLong("id"), r.jsonPath().getString("api_key"));
    }

    /** A subscription of {@code analyst}; returns its id. */
    static long subscribe(Analyst analyst, String body) {
        return given().header("X-Api-Key", analyst.key()).contentType("application/json").body(body).post("/v1/subscriptions")
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** An open alert stream: lines to wait on, and every line seen. */
    record Listener(BlockingQueue<String> lines, List<String> seen) {
    }

    /** Listens to {@code GET /v1/alerts/stream} ({@code streamUrl}) with an API key. */
    static Listener listen(URL streamUrl, String key) {
        Listener listener = new Listener(new LinkedBlockingQueue<>(), new CopyOnWriteArrayList<>());
        HttpRequest request = HttpRequest.newBuilder(URI.create(streamUrl.toString())).header("X-Api-Key", key)
                .header("Accept", "text/event-stream").GET().build();
        CompletableFuture<HttpResponse<Stream<String>>> response = HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        response.thenAccept(r -> {
            if (r.statusCode() != 200) {
                listener.seen().add("HTTP " + r.statusCode());
                return;
            }
            r.body().filter(l -> l.startsWith("data:")).forEach(l -> {
                listener.seen().add(l);
                listener.lines().add(l);
            });
        });
        return listener;
    }
}
