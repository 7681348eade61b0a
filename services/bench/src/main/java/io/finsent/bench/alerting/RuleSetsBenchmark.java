package io.finsent.bench.alerting;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jdbi.v3.core.Jdbi;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.alerting.trends.TrendKey;
import io.finsent.alerting.trends.TrendPartitioner;
import io.finsent.alerting.trends.TrendSettings;
import io.finsent.common.Topics;
import io.finsent.schema.TopicTrendWindow;

/**
 * The trend sink's cost as a topic's subscriptions grow ({@code ./monitor bench alerting --rule-sets}): for each count N, a
 * fresh topic with N subscriptions of distinct rule parameters (N rule sets beside the defaults, made over the alerting
 * API as an analyst would), then closed trend windows of that topic published to topic.trends at once, timed until the
 * running alerting service has written them all to PostgreSQL (each window: its row, and every rule set's state and
 * transitions, in one transaction). Windows a second per N, and the cost per rule set and window.
 */
public final class RuleSetsBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MINUTE = 60_000;
    /** Rule set evaluations per measurement, so each N takes about as long: windows = this / (N + 1), at least 20. */
    private static final int EVALUATIONS = 20_000;

    /** The running stack: broker, alerting database, alerting API and its admin key. */
    public record Stack(String bootstrap, String jdbcUrl, String jdbcUser, String alertingUrl, String adminKey) {
    }

    /** Per rule-set count N: windows measured and windows a second. */
    public record Result(Map<Integer, Integer> windows, Map<Integer, Double> windowsPerSecond) {

        /** Microseconds per rule set and window at N (the defaults counted as one more rule set). */
        public Map<Integer, Double> microsPerRuleSet() {
            Map<Integer, Double> m = new LinkedHashMap<>();
            windowsPerSecond.forEach((n, rate) -> m.put(n, 1e6 / rate / (n + 1)));
            return m;
        }

        /** The largest N's cost per rule set against the smallest's: 1 is linear, below 1 better. */
        public double growthVsLinear() {
            List<Double> us = new ArrayList<>(microsPerRuleSet().values());
            return us.get(us.size() - 1) / us.get(0);
        }
    }

    private RuleSetsBenchmark() {
    }

    public static Result run(Stack stack, List<Integer> counts, PrintWriter err) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        Jdbi jdbi = AlertingStore.jdbi(stack.jdbcUrl(), stack.jdbcUser());
        TrendWindowTable trends = jdbi.onDemand(TrendWindowTable.class);
        Map<Integer, Integer> windows = new LinkedHashMap<>();
        Map<Integer, Double> rates = new LinkedHashMap<>();
        String tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        String analyst = call(http, stack, "POST", "/v1/analysts", stack.adminKey(), "{\"name\": \"bench-" + tag + "\", \"role\": \"analyst\"}", 201);
        String key = JSON.readTree(analyst).path("api_key").asText();
        for (int k = 0; k < counts.size(); k++) {
            int n = counts.get(k);
            String topic = "bench-rules-" + tag + "-" + n;
            err.printf(Locale.ROOT, "bench alerting: %d rule sets on topic %s (subscriptions over the API) ...%n", n, topic);
            err.flush();
            for (int i = 0; i < n; i++) {
                // distinct thresholds, the same baselines: what analysts who tune one rule each would subscribe
                String params = String.format(Locale.ROOT, "{\"negativeShareSigmas\": %.4f, \"volumeFactor\": %.4f}", 3.0 + i * 0.001, 2.5 + i * 0.001);
                call(http, stack, "POST", "/v1/subscriptions", key, "{\"topic\": \"" + topic + "\", \"rule_params\": " + params + "}", 201);
            }
            int w = Math.max(20, EVALUATIONS / (n + 1));
            // each N's windows in a year of its own, so no N's windows are late for another's
            long start = Instant.parse("2015-01-01T00:00:00Z").toEpochMilli() + k * 366L * 24 * 60 * MINUTE;
            err.printf(Locale.ROOT, "bench alerting: %d windows of %s to topic.trends, timed until all are in PostgreSQL ...%n", w, topic);
            err.flush();
            long t0 = System.nanoTime();
            publish(stack.bootstrap(), topic, start, w);
            long deadline = t0 + Duration.ofMinutes(20).toNanos();
            while (trends.latestBefore(TrendSettings.LIVE, topic, MINUTE, TrendWindowTable.NO_END, w + 1).size() < w) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the trend sink wrote fewer than " + w + " windows of " + topic + " within 20 minutes");
                }
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            windows.put(n, w);
            rates.put(n, w / seconds);
            err.printf(Locale.ROOT, "bench alerting: %d rule sets: %.1f windows/s%n", n, w / seconds);
        }
        return new Result(windows, rates);
    }

    /** {@code count} closed one-minute windows of an ordinary topic (20 texts, a few negative), keyed and partitioned as the trend topology writes them. */
    private static void publish(String bootstrap, String topic, long start, int count) throws Exception {
        Random random = new Random(42);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            int partitions = producer.partitionsFor(Topics.TOPIC_TRENDS.name()).size();
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long at = start + i * MINUTE;
                int negative = 1 + random.nextInt(4);
                int positive = 2 + random.nextInt(4);
                TopicTrendWindow w = TopicTrendWindow.newBuilder().setRunId(TrendSettings.LIVE).setTopic(topic).setWindowStart(Instant.ofEpochMilli(at))
                        .setWindowSizeMs(MINUTE).setCount(20).setNegative(negative).setPositive(positive).setNeutral(20 - negative - positive)
                        .setMeanScore((positive - negative) / 20.0).setScoreStddev(0.4).setMeanPNegative(negative / 20.0).build();
                byte[] k = new TrendKey(TrendSettings.LIVE, topic, at, MINUTE).toString().getBytes(StandardCharsets.UTF_8);
                sent.add(producer.send(new ProducerRecord<>(Topics.TOPIC_TRENDS.name(), TrendPartitioner.partitionOf(TrendSettings.LIVE, topic, partitions),
                        null, k, Topics.TOPIC_TRENDS.valueSerde().serializer().serialize(Topics.TOPIC_TRENDS.name(), w))));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        }
    }

    private static String call(HttpClient http, Stack stack, String method, String path, String key, String json, int expected)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.alertingUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("X-Api-Key", key).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (answer.statusCode() != expected) {
            throw new IOException(method + " " + path + " answered HTTP " + answer.statusCode() + ": " + answer.body());
        }
        return answer.body();
    }
}
