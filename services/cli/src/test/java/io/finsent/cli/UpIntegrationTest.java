package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.finsent.bench.pipeline.TopicTail;
import io.finsent.common.Topics;
import io.finsent.schema.RawText;
import io.finsent.schema.ScoredText;
import io.finsent.schema.SourceKind;

/**
 * {@code ./monitor up} as a newcomer runs it (in-process, on free ports and a fresh data directory), using only what it
 * prints: the demo analyst's key sees a FIRING alert within 120 s of the command, the admin key lists that alert, a
 * {@code ./monitor push} with the printed ingest key is accepted and scored, and after a restart on the same data
 * directory the feed added before is still there and the demo source does not publish its minutes a second time.
 */
class UpIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The issue's promise: a FIRING alert for the demo analyst within this long of typing {@code ./monitor up}. */
    private static final Duration FIRST_ALERT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void withThePrintedKeysOnlyAnAlertFiresWithin120sAPushIsScoredAndFeedsSurviveARestart() throws Exception {
        Path data = dir.resolve("data");
        long typed = System.nanoTime();
        Up first = Up.start(data);
        List<RawText> demoTexts = new CopyOnWriteArrayList<>();
        Set<String> scoredIds = ConcurrentHashMap.newKeySet();
        Instant restartedAt;
        String feedUrl = "https://93.184.215.14/markets/feed.xml";
        try {
            first.awaitUp();
            String analystKey = first.lineAfter("Sign in");
            String ingestKey = first.lineAfter("Push API");
            String adminKey = Files.readString(Path.of(first.match("admin API key in (\\S+)\\)"))).strip();
            String alerting = first.url("alerting");
            String ingest = first.url("ingest");

            // The printed analyst key is the demo analyst's, and it sees a FIRING alert within 120 s of the command
            JsonNode me = get(alerting + "/v1/analysts/me", analystKey);
            assertThat(me.path("name").asText()).isEqualTo("demo");
            JsonNode firing = JSON.createArrayNode();
            while (firing.isEmpty() && System.nanoTime() - typed < FIRST_ALERT.toNanos()) {
                firing = get(alerting + "/v1/alerts?state=FIRING", analystKey);
                if (firing.isEmpty()) {
                    Thread.sleep(1000);
                }
            }
            double seconds = (System.nanoTime() - typed) / 1e9;
            System.out.printf("first FIRING alert for the demo analyst %.1f s after ./monitor up: %s%n", seconds, firing);
            assertThat(firing).as("FIRING alerts for the demo analyst within %s of ./monitor up; its output:%n%s", FIRST_ALERT, first.output())
                    .isNotEmpty();
            // The admin key (read only) lists it too
            String alertId = firing.get(0).path("alert_id").asText();
            JsonNode forAdmin = get(alerting + "/v1/alerts?state=FIRING", adminKey);
            assertThat(forAdmin.findValuesAsText("alert_id")).contains(alertId);

            // ./monitor push with the printed ingest key (its file, as the command reads it) is accepted and scored
            assertThat(Files.readString(data.resolve(EmbeddedPipeline.INGEST_KEY_FILE)).strip()).isEqualTo(ingestKey);
            try (TopicTail<ScoredText> scored = new TopicTail<>(first.match("Kafka\\s+(\\S+) \\(KRaft"), Topics.SCORED_TEXT,
                    (key, text, at) -> scoredIds.add(text.getId()))) {
                CliRun push = new CliRun();
                int code = push.run("push", "Boeing shares slump after the regulator grounds its newest jet", "--ticker", "BA",
                        "--ingest", ingest, "--key-file", data.resolve(EmbeddedPipeline.INGEST_KEY_FILE).toString(), "--json");
                assertThat(code).as("push: %s %s", push.out, push.err).isZero();
                JsonNode accepted = JSON.readTree(push.out.toString());
                assertThat(accepted.path("published").asInt()).isEqualTo(1);
                String id = accepted.path("ids").path(0).asText();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (!scoredIds.contains(id) && System.nanoTime() < deadline) {
                    scored.check();
                    Thread.sleep(200);
                }
                assertThat(scoredIds).as("the pushed text %s on text.scored", id).contains(id);
            }
            // Bad pushes are refused with the reason and a non-zero exit: one by the command, one by the service
            CliRun badTime = new CliRun();
            assertThat(badTime.run("push", "Boeing", "--published-at", "yesterday", "--ingest", ingest, "--key-file",
                    data.resolve(EmbeddedPipeline.INGEST_KEY_FILE).toString())).isNotZero();
            assertThat(badTime.err.toString()).contains("--published-at yesterday");
            CliRun badTicker = new CliRun();
            assertThat(badTicker.run("push", "Boeing", "--ticker", "B A", "--ingest", ingest, "--key-file",
                    data.resolve(EmbeddedPipeline.INGEST_KEY_FILE).toString())).isNotZero();
            assertThat(badTicker.err.toString()).contains("ingest refused the text (HTTP 400)");

            CliRun add = new CliRun();
            assertThat(add.run("feeds", "add", feedUrl, "--interval", "1h", "--ingest", ingest, "--key-file",
                    data.resolve(EmbeddedPipeline.INGEST_KEY_FILE).toString())).as("feeds add: %s %s", add.out, add.err).isZero();
        } finally {
            first.stop();
        }
        assertThat(first.output()).contains("Interrupted: stopping everything.");

        // After a restart on the same data directory: the feed is still there, the same keys work
        restartedAt = Instant.now();
        Up second = Up.start(data);
        try {
            second.awaitUp();
            assertThat(second.lineAfter("Sign in")).isEqualTo(first.lineAfter("Sign in"));
            assertThat(second.lineAfter("Push API")).isEqualTo(first.lineAfter("Push API"));
            CliRun list = new CliRun();
            assertThat(list.run("feeds", "list", "--json", "--ingest", second.url("ingest"), "--key-file",
                    data.resolve(EmbeddedPipeline.INGEST_KEY_FILE).toString())).as("feeds list: %s %s", list.out, list.err).isZero();
            JsonNode feeds = JSON.readTree(list.out.toString()).path("feeds");
            assertThat(feeds.findValuesAsText("url")).contains(feedUrl);

            // The restarted demo source publishes only minutes after the newest one the first run published
            Thread.sleep(5000);
            try (TopicTail<RawText> raw = new TopicTail<>(second.match("Kafka\\s+(\\S+) \\(KRaft"), Topics.RAW_TEXT, (key, text, at) -> {
                if (text.getSourceKind() == SourceKind.DEMO) {
                    demoTexts.add(text);
                }
            })) {
                Thread.sleep(5000);
                raw.check();
            }
        } finally {
            second.stop();
        }
        Instant firstRunNewest = demoTexts.stream().filter(t -> t.getIngestedAt().isBefore(restartedAt)).map(RawText::getPublishedAt)
                .max(Instant::compareTo).orElseThrow();
        List<RawText> secondRun = demoTexts.stream().filter(t -> !t.getIngestedAt().isBefore(restartedAt)).toList();
        assertThat(secondRun).as("demo texts the restarted source published").isNotEmpty();
        assertThat(secondRun).allSatisfy(t -> assertThat(t.getPublishedAt()).isAfter(firstRunNewest));
    }

    private static JsonNode get(String url, String key) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", key).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("GET %s: %s", url, answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    /** {@code ./monitor up} on a thread of this JVM, on free ports; interrupting it stops everything it started. */
    private record Up(CliRun cli, Thread thread) {

        static Up start(Path data) {
            CliRun cli = new CliRun();
            Thread thread = new Thread(() -> cli.run("up", "--data-dir", data.toString(), "--kafka-port", "0", "--postgres-port", "0",
                    "--scorer-port", "0", "--ingest-port", "0", "--alerting-port", "0"), "monitor-up");
            thread.setDaemon(true);
            thread.start();
            return new Up(cli, thread);
        }

        void awaitUp() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!output().contains("Press Ctrl-C") && thread.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(output()).as("./monitor up: %s%n%s", output(), cli.err).contains("Press Ctrl-C");
            System.out.println(output());
        }

        String output() {
            return cli.out.toString();
        }

        String match(String regex) {
            Matcher m = Pattern.compile(regex).matcher(output());
            assertThat(m.find()).as("%s in%n%s", regex, output()).isTrue();
            return m.group(1);
        }

        String url(String service) {
            return match("(?m)^\\s+" + service + "\\s+(http://\\S+) \\(pid");
        }

        /** The indented line after the line that starts with {@code label}: where up prints a key. */
        String lineAfter(String label) {
            return match("(?m)^\\s+" + Pattern.quote(label) + " .*\\R\\s+(\\S+)\\s*$");
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(TimeUnit.MINUTES.toMillis(2));
            assertThat(thread.isAlive()).as("./monitor up still running two minutes after the interrupt").isFalse();
        }
    }
}
