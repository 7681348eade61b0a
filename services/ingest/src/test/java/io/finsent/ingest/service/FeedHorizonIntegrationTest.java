package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.sun.net.httpserver.HttpServer;

import io.finsent.ingest.ItemIds;
import io.finsent.local.testing.LocalStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A feed keeps its entries longer than the de-duplication horizon (here 3 s; 24 h by default) and its file is touched
 * (a new ETag, the same entries): nothing is published again, and dateless entries keep the date they were first seen
 * with, marked as estimated.
 */
@QuarkusTest
@TestProfile(FeedHorizonIntegrationTest.ShortHorizon.class)
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FeedHorizonIntegrationTest {

    /** A 3 s horizon, and a feeds file with options. */
    public static final class ShortHorizon implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                java.nio.file.Path file = java.nio.file.Files.createTempFile("feeds", ".txt");
                java.nio.file.Files.writeString(file, "# feeds of the horizon test\n\nhttps://feeds.example.com/from-file.xml interval=PT10M"
                        + " tickers=AAPL,msft name=\"From the file\"\nhttps://feeds.example.com/plain.xml\n");
                file.toFile().deleteOnExit();
                return Map.of("ingest.dedup.horizon", "3s", "ingest.feeds.file", file.toString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private static final String MARKER = UUID.randomUUID().toString().substring(0, 8);
    private static final String RECENT = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().minus(Duration.ofHours(2)).atOffset(ZoneOffset.UTC));
    private static final AtomicInteger served = new AtomicInteger();
    private static HttpServer server;
    private static String feed;

    @Inject
    FeedPoller poller;
    @Inject
    RawTextPublisher publisher;

    @BeforeAll
    static void serve() throws IOException {
        // Two dated entries, one dateless with a guid, one with neither date nor guid nor link; a new ETag at every request
        byte[] rss = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Kept</title>"
                + "<item><guid>dated-1-" + MARKER + "</guid><pubDate>" + RECENT + "</pubDate><title>Acme raises its dividend</title></item>"
                + "<item><guid>dated-2-" + MARKER + "</guid><pubDate>" + RECENT + "</pubDate><title>Globex cuts its outlook</title></item>"
                + "<item><guid>dateless-" + MARKER + "</guid><title>Initech names a new chief executive</title></item>"
                + "<item><title>Untracked " + MARKER + "</title><description>Hooli opens a new plant</description></item>"
                + "</channel></rss>").getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/kept", ex -> {
            served.incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", "application/rss+xml");
            ex.getResponseHeaders().add("ETag", "\"" + UUID.randomUUID() + "\"");
            ex.sendResponseHeaders(200, rss.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(rss);
            }
        });
        server.start();
        feed = "http://127.0.0.1:" + server.getAddress().getPort() + "/kept";
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void aTouchedFeedPublishesNothingAgainAfterTheHorizon() throws Exception {
        // Given the feed polled once: its four entries published
        poller.add(feed, Duration.ofMinutes(5));
        FeedStatus first = poller.poll(feed);
        assertThat(first.lastErrorReason()).isNull();
        assertThat(first.itemsPublished()).as(first.toString()).isEqualTo(4);
        String dated = ItemIds.ofNativeId(feed, "dated-1-" + MARKER);
        String dateless = ItemIds.ofNativeId(feed, "dateless-" + MARKER);
        var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(dated) && r.containsKey(dateless));
        GenericRecord datelessItem = TopicReader.decode("RawText", raw.get(dateless).get(0).value());
        assertThat(datelessItem.get("published_at_estimated")).isEqualTo(true);
        assertThat(datelessItem.get("url")).as("a guid that is not a URL is the id, not the link").isNull();
        assertThat(TopicReader.decode("RawText", raw.get(dated).get(0).value()).get("published_at_estimated")).isEqualTo(false);

        // When the horizon has passed (the publisher has forgotten the ids) and the feed is touched, twice
        Thread.sleep(3_500);
        assertThat(publisher.horizon().contains(dated)).as("past the horizon").isFalse();
        FeedStatus second = poller.poll(feed);
        Thread.sleep(3_500);
        FeedStatus third = poller.poll(feed);

        // Then nothing was published again: one record per entry, the dateless one with its first date
        assertThat(served.get()).isEqualTo(3);
        assertThat(second.lastErrorReason()).isNull();
        assertThat(third.itemsSeen()).isEqualTo(12);
        assertThat(third.itemsPublished()).isEqualTo(4);
        Thread.sleep(1_000);
        var after = TopicReader.byKey(TopicReader.RAW_TEXT);
        List<GenericRecord> mine = after.values().stream().flatMap(List::stream).map(r -> TopicReader.decode("RawText", r.value()))
                .filter(r -> feed.equals(TopicReader.text(r, "source"))).toList();
        assertThat(mine).hasSize(4);
        assertThat(after.get(dateless)).hasSize(1);
        assertThat(mine).filteredOn(r -> TopicReader.text(r, "body").contains("Hooli")).singleElement()
                .satisfies(r -> assertThat(r.get("published_at_estimated")).isEqualTo(true));
    }

    @Test
    void theFeedsFileGivesEachFeedItsIntervalTickersAndName() {
        FeedStatus fromFile = poller.status("https://feeds.example.com/from-file.xml").orElseThrow();
        assertThat(fromFile.pollIntervalSeconds()).isEqualTo(600);
        assertThat(fromFile.tickers()).containsExactly("AAPL", "MSFT");
        assertThat(fromFile.name()).isEqualTo("From the file");
        FeedStatus plain = poller.status("https://feeds.example.com/plain.xml").orElseThrow();
        assertThat(plain.pollIntervalSeconds()).isEqualTo(300);
        assertThat(plain.tickers()).isEmpty();
        assertThat(plain.name()).isNull();
    }
}
