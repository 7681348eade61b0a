package io.finsent.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.finsent.common.Topics;
import io.finsent.local.LocalStack;
import io.finsent.local.LocalStackConfig;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.RawText;
import io.finsent.schema.ScoredText;
import io.finsent.schema.SourceKind;

/**
 * A backlog is caught up, not re-scored for ever: 4,000 texts (tweets of the 2015 news stream where it is beside the
 * checkout, long articles among them) and bad records are in text.raw before the scorer app starts with its shipped
 * configuration. Every text comes out exactly once, only the bad records are dead letters, and no stream thread is
 * fenced or resumes a task with buffered texts (before the bound on the stream thread's wait, six tasks' batches queued
 * behind one encoder fenced the thread about once a minute and the same texts were scored again and again).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ScorerBacklogIntegrationTest {

    private static final Logger LOG = Logger.getLogger(ScorerBacklogIntegrationTest.class);
    private static final int TEXTS = 4_000;
    private static final int LONG_TEXTS = 16;
    /** The scorer catches up at tens of texts a second on two cores: this long without one more text is a stall. */
    private static final Duration STALLED = Duration.ofMinutes(3);
    private static final Path NEWS_STREAM = Path.of("../../../shared/data/news_stream/stocknet_tweets_stream.jsonl");
    private static final Pattern FENCED = Pattern.compile("fenced|TaskMigrated|InvalidProducerEpoch|ProducerFenced|resumed with", Pattern.CASE_INSENSITIVE);

    @TempDir
    Path dir;

    @Test
    void aBacklogAlreadyInTextRawIsScoredExactlyOnceWithTheShippedDefaultsAndNoStreamThreadIsFenced() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStackConfig.ephemeral(dir.resolve("stack")))) {
            // Given a backlog with bad records among the texts
            Set<String> ids = new HashSet<>();
            Map<String, String> bad = new HashMap<>();
            produceBacklog(stack, ids, bad);

            // When the scorer app starts on it, configured as shipped
            int port = freePort();
            Path log = dir.resolve("scorer.log");
            Process scorer = startScorer(stack, port, log);
            Map<String, Integer> timesScored = new HashMap<>();
            Map<String, String> deadLetters = new HashMap<>();
            String metrics;
            try {
                readUntil(stack, ids, bad, timesScored, deadLetters);
                metrics = metrics(port);
                if (!timesScored.keySet().containsAll(ids)) {
                    explainMissing(stack, ids, timesScored, metrics, log);
                }
            } finally {
                scorer.destroy();
                scorer.waitFor(30, TimeUnit.SECONDS);
                scorer.destroyForcibly();
            }

            // Then
            assertThat(timesScored).as("scored ids").hasSize(ids.size());
            assertThat(timesScored.keySet()).isEqualTo(ids);
            assertThat(timesScored.values()).as("times each id was scored").containsOnly(1);
            assertThat(deadLetters.keySet()).as("dead letters are exactly the bad records").isEqualTo(bad.keySet());
            bad.forEach((key, reason) -> assertThat(deadLetters.get(key)).as("reason of %s", key).isNotBlank().contains(reason));
            List<String> fenced = Files.readAllLines(log).stream()
                    .filter(line -> !line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && FENCED.matcher(line).find()).toList();
            assertThat(fenced).as("fenced, migrated or resumed stream threads in the scorer's log").isEmpty();
            assertThat(metric(metrics, "finsent_scorer_tasks_resumed_total")).as("tasks resumed with buffered texts").isZero();
            double maxWait = metric(metrics, "finsent_scorer_stream_thread_wait_seconds_max");
            LOG.infof("backlog of %d texts: longest wait of the stream thread %.2f s, texts buffered past the limit %.0f", ids.size(), maxWait,
                    metric(metrics, "finsent_scorer_buffered_past_limit_total"));
            // scorer.stream-thread-wait (2 s) bounds every wait; the slack is for the timed get's own overshoot under load.
            assertThat(maxWait).as("longest single wait of the stream thread for a model call, s").isLessThan(3.5);
        }
    }

    /** The texts (tweets when the news stream is there, synthetic otherwise; some long articles) and bad records, in one go. */
    private void produceBacklog(LocalStack stack, Set<String> ids, Map<String, String> bad) throws Exception {
        List<String> texts = texts();
        Random random = new Random(11);
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all");
        Instant t0 = Instant.parse("2015-01-01T00:00:00Z");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < TEXTS; i++) {
                String id = "backlog-" + i;
                String body = texts.get(i % texts.size());
                if (i % (TEXTS / LONG_TEXTS) == 7) {
                    // A long article: several windows of the encoder, scored whole, never truncated.
                    StringBuilder article = new StringBuilder();
                    while (article.length() < 12_000) {
                        article.append(texts.get(random.nextInt(texts.size()))).append(' ');
                    }
                    body = article.toString();
                }
                RawText text = RawText.newBuilder().setId(id).setSourceKind(SourceKind.ARCHIVE).setSource("backlog-test")
                        .setPublishedAt(t0.plusSeconds(60L * i)).setIngestedAt(t0).setBody(body).setTickers(List.of("AAPL")).build();
                producer.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), null, text.getPublishedAt().toEpochMilli(), id,
                        Topics.RAW_TEXT.valueSerde().serializer().serialize(Topics.RAW_TEXT.name(), text)));
                ids.add(id);
                if (i % 500 == 3) {
                    String notAvro = "backlog-bad-bytes-" + i;
                    producer.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), notAvro, ("not avro " + i).getBytes()));
                    bad.put(notAvro, "");
                    String wrongKey = "backlog-bad-key-" + i;
                    producer.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), wrongKey,
                            Topics.RAW_TEXT.valueSerde().serializer().serialize(Topics.RAW_TEXT.name(), text)));
                    bad.put(wrongKey, "is not the item id");
                    String empty = "backlog-bad-empty-" + i;
                    RawText blank = RawText.newBuilder(text).setId(empty).setBody(" ").build();
                    producer.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), empty,
                            Topics.RAW_TEXT.valueSerde().serializer().serialize(Topics.RAW_TEXT.name(), blank)));
                    bad.put(empty, "empty text");
                }
            }
            producer.flush();
        }
    }

    private static List<String> texts() throws IOException {
        List<String> texts = new ArrayList<>();
        if (Files.isRegularFile(NEWS_STREAM)) {
            ObjectMapper mapper = new ObjectMapper();
            try (var lines = Files.lines(NEWS_STREAM)) {
                lines.limit(TEXTS).forEach(line -> {
                    JsonNode headline = readTree(mapper, line).get("headline");
                    if (headline != null && !headline.asText().isBlank()) {
                        texts.add(headline.asText());
                    }
                });
            }
            LOG.infof("backlog texts: %d tweets of %s", texts.size(), NEWS_STREAM);
            return texts;
        }
        String[] subjects = {"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay"};
        String[] events = {"raises its full-year guidance after a strong quarter in every region", "misses profit estimates",
                "announces a share buyback of up to 5 % of its stock", "cuts 1,200 jobs", "faces a regulatory probe over its accounting"};
        Random random = new Random(3);
        for (int i = 0; i < 500; i++) {
            texts.add(subjects[random.nextInt(subjects.length)] + " " + events[random.nextInt(events.length)] + " (" + i + ").");
        }
        LOG.infof("backlog texts: synthetic (%s is not there)", NEWS_STREAM);
        return texts;
    }

    private static JsonNode readTree(ObjectMapper mapper, String line) {
        try {
            return mapper.readTree(line);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Process startScorer(LocalStack stack, int port, Path log) throws IOException {
        // Only where things are: batching, waits, commits and Kafka settings stay as application.properties ships them.
        return ScorerApp.start(stack, log, List.of("kafka-streams.state.dir=" + dir.resolve("scorer-state"), "quarkus.http.port=" + port));
    }

    private static void readUntil(LocalStack stack, Set<String> ids, Map<String, String> bad, Map<String, Integer> timesScored,
            Map<String, String> deadLetters) {
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        long lastReport = System.nanoTime();
        long lastProgress = System.nanoTime();
        int lastCount = 0;
        try (var scored = ScorerApp.consumer(stack, Topics.SCORED_TEXT); var dead = ScorerApp.consumer(stack, Topics.DEAD_LETTERS)) {
            scored.subscribe(List.of(Topics.SCORED_TEXT.name()));
            dead.subscribe(List.of(Topics.DEAD_LETTERS.name()));
            while ((timesScored.size() < ids.size() || deadLetters.size() < bad.size()) && System.nanoTime() < deadline
                    && System.nanoTime() - lastProgress < STALLED.toNanos()) {
                for (var record : scored.poll(Duration.ofMillis(500))) {
                    timesScored.merge(((ScoredText) record.value()).getId(), 1, Integer::sum);
                }
                for (var record : dead.poll(Duration.ofMillis(50))) {
                    deadLetters.put(record.key(), ((DeadLetter) record.value()).getReason());
                }
                if (timesScored.size() + deadLetters.size() > lastCount) {
                    lastCount = timesScored.size() + deadLetters.size();
                    lastProgress = System.nanoTime();
                }
                if (System.nanoTime() - lastReport > 10_000_000_000L) {
                    LOG.infof("backlog: %d of %d scored, %d of %d dead letters", timesScored.size(), ids.size(), deadLetters.size(), bad.size());
                    lastReport = System.nanoTime();
                }
            }
            // a last look: nothing may come twice after the counts were reached
            for (var record : scored.poll(Duration.ofSeconds(3))) {
                timesScored.merge(((ScoredText) record.value()).getId(), 1, Integer::sum);
            }
        }
    }

    /** Says which texts never came out (a few ids, how many per text.raw partition) and the scorer's last words. */
    private static void explainMissing(LocalStack stack, Set<String> ids, Map<String, Integer> timesScored, String metrics, Path log) throws IOException {
        List<String> missing = ids.stream().filter(id -> !timesScored.containsKey(id)).sorted().toList();
        Map<Integer, Integer> perPartition = new TreeMap<>();
        int partitions;
        try (var raw = ScorerApp.consumer(stack, Topics.RAW_TEXT)) {
            partitions = raw.partitionsFor(Topics.RAW_TEXT.name()).size();
        }
        for (String id : missing) {
            perPartition.merge(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions, 1, Integer::sum);
        }
        List<String> lines = Files.readAllLines(log);
        LOG.errorf("%d texts never scored, per text.raw partition %s, first %s%nscorer metrics:%n%s%nlast lines of the scorer's log:%n%s",
                missing.size(), perPartition, missing.subList(0, Math.min(10, missing.size())),
                metrics.lines().filter(l -> l.startsWith("finsent_scorer")).collect(Collectors.joining("\n")),
                String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
    }

    private static String metrics(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of an untagged Prometheus series (or the first of a family). */
    private static double metric(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$").matcher(metrics);
        assertThat(m.find()).as("series %s in /q/metrics", name).isTrue();
        return Double.parseDouble(m.group(2));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
