package io.finsent.ingest.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.finsent.ingest.DeadLetters;
import io.finsent.ingest.ItemIds;
import io.finsent.local.testing.LocalStackTestResource;
import org.apache.avro.generic.GenericRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The feed poller against a local HTTP server serving fixtures, and the real broker: items once, conditional
 * GETs, redirects, and every bad feed either in the feed's status with its reason or in the dead-letter topic.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FeedPollerIntegrationTest {

    private static final String RECENT = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().minus(Duration.ofHours(2)).atOffset(ZoneOffset.UTC));
    private static final String ATOM_TIME = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.SECONDS).toString();
    private static final Path REAL_FEEDS = Path.of("../../../shared/data/real_feeds");
    private static HttpServer server;
    private static String base;
    private static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private static final Map<String, String> lastIfNoneMatch = new ConcurrentHashMap<>();

    @Inject
    FeedPoller poller;

    static String rss(String marker, String... extraItems) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Wire</title><link>https://x.test/</link>"
                + "<description>d</description><language>en</language>"
                + "<item><title>Acme &amp; Co beat estimates " + marker + "</title><link>https://x.test/a/" + marker + "</link>"
                + "<guid>a-" + marker + "</guid><pubDate>" + RECENT + "</pubDate><description>&lt;p&gt;Shares of $ACME rose&lt;/p&gt;</description>"
                + "<category>NYSE:ACME</category></item>"
                + "<item><title>Second " + marker + "</title><link>https://x.test/b/" + marker + "</link><pubDate>" + RECENT + "</pubDate>"
                + "<description>Calm day for $MSFT</description></item>" + String.join("", extraItems) + "</channel></rss>";
    }

    static final String MARKER = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void serveFixtures() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        byte[] rss = rss(MARKER).getBytes(StandardCharsets.UTF_8);
        server.createContext("/rss", ex -> {
            count(ex);
            String inm = ex.getRequestHeaders().getFirst("If-None-Match");
            if (inm != null) {
                lastIfNoneMatch.put("/rss", inm);
            }
            if ("\"v1\"".equals(inm)) {
                ex.sendResponseHeaders(304, -1);
                ex.close();
                return;
            }
            ex.getResponseHeaders().add("ETag", "\"v1\"");
            ex.getResponseHeaders().add("Last-Modified", "Sun, 22 Nov 2026 10:00:00 GMT");
            send(ex, 200, "application/rss+xml", rss);
        });
        server.createContext("/changing-etag", ex -> {
            // A server that never answers 304 and changes its ETag: de-duplication must still hold.
            ex.getResponseHeaders().add("ETag", "\"" + UUID.randomUUID() + "\"");
            send(ex, 200, "application/rss+xml", rss("etag-" + MARKER).getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/atom", ex -> send(ex, 200, "application/atom+xml", ("<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
                + "<title>A</title><id>urn:a</id><updated>" + ATOM_TIME + "</updated><entry><title>Atom entry " + MARKER + "</title>"
                + "<id>urn:entry:" + MARKER + "</id><updated>" + ATOM_TIME + "</updated><content type=\"html\">&lt;b&gt;Chips&lt;/b&gt; rally $NVDA</content>"
                + "</entry></feed>").getBytes(StandardCharsets.UTF_8)));
        server.createContext("/latin1", ex -> send(ex, 200, "application/xml", ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
                + rss("latin1-" + MARKER).replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "").replace("Calm day", "Caf\u00e9 day"))
                .getBytes(StandardCharsets.ISO_8859_1)));
        server.createContext("/redirect", ex -> redirect(ex, "/rss"));
        server.createContext("/loop", ex -> redirect(ex, "/loop2"));
        server.createContext("/loop2", ex -> redirect(ex, "/loop"));
        server.createContext("/chain", ex -> {
            int n = Integer.parseInt(ex.getRequestURI().getQuery() == null ? "0" : ex.getRequestURI().getQuery());
            redirect(ex, "/chain?" + (n + 1));
        });
        server.createContext("/no-location", ex -> send(ex, 302, "text/plain", new byte[0]));
        server.createContext("/500", ex -> send(ex, 500, "text/plain", "boom".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/404", ex -> send(ex, 404, "text/plain", "gone".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/slow", ex -> {
            sleep(5000);
            send(ex, 200, "application/rss+xml", rss);
        });
        server.createContext("/drip", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 20; i++) {
                    out.write(rss, i, 1);
                    out.flush();
                    sleep(500);
                }
            } catch (IOException e) {
                // the poller hung up, as it should
            }
        });
        server.createContext("/big", ex -> send(ex, 200, "application/rss+xml", new byte[2 * 1024 * 1024]));
        server.createContext("/ten-mb", ex -> send(ex, 200, "application/rss+xml", new byte[10 * 1024 * 1024]));
        server.createContext("/empty", ex -> send(ex, 200, "application/rss+xml", new byte[0]));
        server.createContext("/malformed", ex -> send(ex, 200, "application/rss+xml",
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>unclosed".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/html", ex -> send(ex, 200, "text/html", "<!DOCTYPE html><html><body><p>Not a feed</p></body></html>".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/json", ex -> send(ex, 200, "application/json", "{\"items\": []}".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/xxe", ex -> send(ex, 200, "application/rss+xml", ("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\">"
                + "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
                + "<rss version=\"2.0\"><channel><title>&c;</title></channel></rss>").getBytes(StandardCharsets.UTF_8)));
        server.createContext("/bad-entries", ex -> send(ex, 200, "application/rss+xml", rss("bad-" + MARKER,
                "<item><title>From the future</title><guid>future-" + MARKER + "</guid><pubDate>Fri, 31 Dec 2999 23:59:59 GMT</pubDate></item>",
                "<item><guid>empty-" + MARKER + "</guid><pubDate>" + RECENT + "</pubDate><description>&lt;br/&gt;</description></item>")
                .getBytes(StandardCharsets.UTF_8)));
        // A 35 KB Atom entry whose xhtml content is nested 3,000 deep (it overflowed the stack of Rome's tree builder),
        // and an 840 KB RSS description nested 120,000 deep (under the test's 1 MiB cap).
        server.createContext("/deep-atom", ex -> send(ex, 200, "application/atom+xml", ("<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
                + "<title>deep</title><id>urn:deep</id><updated>" + ATOM_TIME + "</updated><entry><id>urn:deep:1</id><title>Deep</title><updated>"
                + ATOM_TIME + "</updated><content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">" + "<b>".repeat(3_000) + "x"
                + "</b>".repeat(3_000) + "</div></content></entry></feed>").getBytes(StandardCharsets.UTF_8)));
        server.createContext("/deep-rss", ex -> send(ex, 200, "application/rss+xml", ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>deep</title>"
                + "<item><guid>deep-1</guid><title>Deep</title><description>" + "<a>".repeat(120_000) + "</a>".repeat(120_000)
                + "</description></item></channel></rss>").getBytes(StandardCharsets.UTF_8)));
        server.createContext("/netscape", ex -> send(ex, 200, "application/rss+xml", ("<?xml version=\"1.0\"?>\n<!DOCTYPE rss PUBLIC"
                + " \"-//Netscape Communications//DTD RSS 0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n<rss version=\"0.91\">"
                + "<channel><title>Netscape</title><link>https://example.com/</link><description>d</description><language>en</language>"
                + "<item><title>Acme files for Chapter 11 " + MARKER + "</title><link>https://example.com/netscape-" + MARKER + "</link></item>"
                + "</channel></rss>").getBytes(StandardCharsets.UTF_8)));
        // Encodings: UTF-8 declared but one entry in Latin-1 bytes; Latin-1 named only by the HTTP charset; a UTF-8 byte order mark.
        server.createContext("/utf8-with-latin1", ex -> {
            java.io.ByteArrayOutputStream doc = new java.io.ByteArrayOutputStream();
            doc.writeBytes(("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Mixed</title>"
                    + "<item><guid>clean-" + MARKER + "</guid><pubDate>" + RECENT + "</pubDate><title>Clean entry</title></item>"
                    + "<item><guid>broken-" + MARKER + "</guid><pubDate>" + RECENT + "</pubDate><title>Caf").getBytes(StandardCharsets.UTF_8));
            doc.write(0xE9); // é in ISO-8859-1: not UTF-8
            doc.writeBytes(" au lait prices rise</title></item></channel></rss>".getBytes(StandardCharsets.UTF_8));
            send(ex, 200, "application/rss+xml", doc.toByteArray());
        });
        server.createContext("/charset-header", ex -> send(ex, 200, "application/rss+xml; charset=ISO-8859-1",
                rss("header-" + MARKER).replace(" encoding=\"UTF-8\"", "").replace("Calm day", "Caf\u00e9 day").getBytes(StandardCharsets.ISO_8859_1)));
        server.createContext("/bom", ex -> {
            byte[] doc = rss("bom-" + MARKER).replace("Calm day", "Caf\u00e9 day").getBytes(StandardCharsets.UTF_8);
            byte[] withBom = new byte[doc.length + 3];
            withBom[0] = (byte) 0xEF;
            withBom[1] = (byte) 0xBB;
            withBom[2] = (byte) 0xBF;
            System.arraycopy(doc, 0, withBom, 3, doc.length);
            send(ex, 200, "application/rss+xml", withBom);
        });
        // Real feeds captured from the wild (../shared/data/real_feeds, not copied into the repository).
        for (String file : List.of("seekingalpha-msft-2017.xml", "nasdaqtrader-halts-2023.xml", "reuters-business-2019.xml", "folha-rss091-2010.xml",
                "sec-edgar-getcurrent-2018.xml", "yahoo-finance-tsla-2025.xml", "google-alerts-slack-2019.xml", "techcrunch-2011.xml")) {
            server.createContext("/real/" + file, ex -> send(ex, 200, "application/rss+xml", Files.readAllBytes(REAL_FEEDS.resolve(file))));
        }
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static void count(HttpExchange ex) {
        hits.computeIfAbsent(ex.getRequestURI().getPath(), k -> new AtomicInteger()).incrementAndGet();
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        } catch (IOException e) {
            // the poller hung up (size cap): nothing to do
        }
    }

    private static void redirect(HttpExchange ex, String to) throws IOException {
        ex.getResponseHeaders().add("Location", to);
        ex.sendResponseHeaders(301, -1);
        ex.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private FeedStatus poll(String path) throws InterruptedException {
        poller.add(base + path, Duration.ofMinutes(5));
        return poller.poll(base + path);
    }

    @Test
    void anRssFeedIsPublishedOnceAndThenAskedConditionally() throws Exception {
        FeedStatus first = poll("/rss");

        assertThat(first.lastErrorReason()).isNull();
        assertThat(first.itemsSeen()).isEqualTo(2);
        assertThat(first.itemsPublished()).isEqualTo(2);
        assertThat(first.etag()).isEqualTo("\"v1\"");
        String feed = base + "/rss";
        String guidId = ItemIds.ofNativeId(feed, "a-" + MARKER);
        String linkId = ItemIds.ofNativeId(feed, "https://x.test/b/" + MARKER);
        var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(guidId) && r.containsKey(linkId));
        GenericRecord item = TopicReader.decode("RawText", raw.get(guidId).get(0).value());
        assertThat(TopicReader.text(item, "title")).isEqualTo("Acme & Co beat estimates " + MARKER);
        assertThat(TopicReader.text(item, "body")).isEqualTo("Shares of $ACME rose");
        assertThat(TopicReader.texts(item, "tickers")).containsExactly("ACME");
        assertThat(TopicReader.text(item, "language")).isEqualTo("en");

        FeedStatus second = poller.poll(feed);

        assertThat(lastIfNoneMatch.get("/rss")).isEqualTo("\"v1\"");
        assertThat(second.itemsSeen()).as("304: nothing parsed").isEqualTo(2);
        assertThat(second.lastSuccess()).isAfterOrEqualTo(first.lastSuccess());
        assertThat(TopicReader.byKey(TopicReader.RAW_TEXT).get(guidId)).hasSize(1);
    }

    @Test
    void rePollingAFeedThatAlwaysAnswersInFullPublishesNothingTwice() throws Exception {
        poll("/changing-etag");
        FeedStatus again = poller.poll(base + "/changing-etag");

        assertThat(again.itemsSeen()).isEqualTo(4);
        assertThat(again.itemsPublished()).isEqualTo(2);
        String id = ItemIds.ofNativeId(base + "/changing-etag", "a-etag-" + MARKER);
        assertThat(TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(id)).get(id)).hasSize(1);
    }

    @Test
    void atomRedirectsAndDeclaredEncodingsAreFollowed() throws Exception {
        assertThat(poll("/atom").itemsPublished()).isEqualTo(1);
        FeedStatus redirected = poll("/redirect");
        assertThat(redirected.lastErrorReason()).isNull();
        assertThat(redirected.itemsSeen()).isEqualTo(2);
        FeedStatus latin1 = poll("/latin1");
        assertThat(latin1.itemsPublished()).isEqualTo(2);
        String id = ItemIds.ofNativeId(base + "/latin1", "https://x.test/b/latin1-" + MARKER);
        var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(id));
        assertThat(TopicReader.text(TopicReader.decode("RawText", raw.get(id).get(0).value()), "body"))
                .isEqualTo("Café day for $MSFT");
    }

    static Stream<Arguments> failingFeeds() {
        return Stream.of(
                Arguments.of("/500", "HTTP 500"),
                Arguments.of("/404", "HTTP 404"),
                Arguments.of("/slow", "within 2 s"),
                Arguments.of("/drip", "within 2 s"),
                Arguments.of("/loop", "redirect loop"),
                Arguments.of("/chain", "more than 5 redirects"),
                Arguments.of("/no-location", "without a Location header"),
                Arguments.of("/big", "larger than the limit of 1048576 bytes"),
                Arguments.of("/ten-mb", "larger than the limit of 1048576 bytes"),
                Arguments.of("/empty", "not an RSS or Atom feed"),
                Arguments.of("/malformed", "not an RSS or Atom feed"),
                Arguments.of("/html", "not an RSS or Atom feed"),
                Arguments.of("/json", "not an RSS or Atom feed"),
                Arguments.of("/xxe", "not an RSS or Atom feed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingFeeds")
    void aFailingFeedShowsItsReasonAndBacksOff(String path, String reason) throws Exception {
        Instant before = Instant.now();

        FeedStatus status = poll(path);

        assertThat(status.lastErrorReason()).contains(reason);
        assertThat(status.consecutiveFailures()).isEqualTo(1);
        assertThat(status.nextPoll()).isBetween(before.plusSeconds(29), Instant.now().plusSeconds(31));
        FeedStatus again = poller.poll(base + path);
        assertThat(again.consecutiveFailures()).isEqualTo(2);
        assertThat(again.nextPoll()).as("backoff doubles").isAfter(Instant.now().plusSeconds(55));
    }

    @Test
    void aBodyThatIsNotAFeedIsDeadLetteredWithItsBytesOnce() throws Exception {
        poll("/malformed");
        poller.poll(base + "/malformed");
        byte[] bytes = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>unclosed".getBytes(StandardCharsets.UTF_8);
        String key = DeadLetters.keyOf(DeadLetters.STAGE_FEED, bytes);

        var dlq = TopicReader.awaitByKey(TopicReader.DEAD_LETTERS, r -> r.containsKey(key));

        GenericRecord letter = TopicReader.decode("DeadLetter", dlq.get(key).get(0).value());
        assertThat(TopicReader.text(letter, "reason")).startsWith("not an RSS or Atom feed");
        assertThat(TopicReader.text(letter, "source")).isEqualTo(base + "/malformed");
        assertThat(TopicReader.text(letter, "stage")).isEqualTo(DeadLetters.STAGE_FEED);
        Thread.sleep(2_000);
        assertThat(TopicReader.byKey(TopicReader.DEAD_LETTERS).get(key)).as("the same document, polled twice, is dead-lettered once").hasSize(1);
    }

    /** The records of text.raw from one source (a feed's URL, or its name), once at least this many are there. */
    private static List<GenericRecord> publishedFrom(String feedUrl, int atLeast) throws InterruptedException {
        var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.values().stream().flatMap(List::stream)
                .filter(c -> feedUrl.equals(TopicReader.text(TopicReader.decode("RawText", c.value()), "source"))).count() >= atLeast);
        return raw.values().stream().flatMap(List::stream).map(c -> TopicReader.decode("RawText", c.value()))
                .filter(r -> feedUrl.equals(TopicReader.text(r, "source"))).toList();
    }

    @Test
    void tickersComeFromSeekingAlphaAndNasdaqSymbolFieldsAndFeedBurnerLinksAreTheArticles() throws Exception {
        // Seeking Alpha's MSFT feed: 30 entries, each with <sa:stock><sa:symbol>MSFT</sa:symbol></sa:stock>
        FeedStatus sa = poll("/real/seekingalpha-msft-2017.xml");
        assertThat(sa.lastErrorReason()).isNull();
        // (three roundups list 65 to 113 symbols: the first 64 are kept, the entry is not refused)
        assertThat(sa.itemsPublished()).isEqualTo(30);
        List<GenericRecord> fromSa = publishedFrom(base + "/real/seekingalpha-msft-2017.xml", 30);
        assertThat(fromSa).hasSize(30).allSatisfy(r -> assertThat(TopicReader.texts(r, "tickers")).isNotEmpty().hasSizeLessThanOrEqualTo(64));
        // MSFT in all but a roundup whose first 64 symbols do not reach it
        assertThat(fromSa.stream().filter(r -> TopicReader.texts(r, "tickers").contains("MSFT")).count()).isGreaterThanOrEqualTo(29);

        // NASDAQ Trader's halts: each entry's ticker is its ndaq:IssueSymbol (ROCC, HCNEU, ...)
        FeedStatus halts = poll("/real/nasdaqtrader-halts-2023.xml");
        assertThat(halts.lastErrorReason()).isNull();
        List<GenericRecord> fromHalts = publishedFrom(base + "/real/nasdaqtrader-halts-2023.xml", (int) halts.itemsPublished());
        assertThat(halts.itemsPublished()).isEqualTo(14);
        assertThat(fromHalts).allSatisfy(r -> assertThat(TopicReader.texts(r, "tickers")).contains(TopicReader.text(r, "title").strip()));

        // Reuters through FeedBurner: the item URL is the article's (feedburner:origLink), not the tracking link
        poll("/real/reuters-business-2019.xml");
        List<GenericRecord> fromReuters = publishedFrom(base + "/real/reuters-business-2019.xml", 20);
        assertThat(fromReuters).hasSize(20).allSatisfy(r -> assertThat(TopicReader.text(r, "url")).startsWith("https://www.reuters.com/article/"));
    }

    @Test
    void anIso88591FeedWithABlankLineBeforeItsDeclarationIsDecodedAsItDeclares() throws Exception {
        // Folha's RSS 0.91 feed: "\n<?xml version="1.0" encoding="ISO-8859-1"?>", Portuguese with Latin-1 bytes, 15 entries
        FeedStatus folha = poll("/real/folha-rss091-2010.xml");
        assertThat(folha.lastErrorReason()).isNull();
        List<GenericRecord> entries = publishedFrom(base + "/real/folha-rss091-2010.xml", 15);
        assertThat(entries).hasSize(15).allSatisfy(r -> assertThat(TopicReader.text(r, "body") + TopicReader.text(r, "title")).doesNotContain("\uFFFD"));
        assertThat(entries).anySatisfy(r -> assertThat(TopicReader.text(r, "body")).contains("situação"));
        assertThat(FeedPoller.fromDeclaration("\n \t<?xml?><rss/>".getBytes(StandardCharsets.US_ASCII))).asString(StandardCharsets.US_ASCII)
                .isEqualTo("<?xml?><rss/>");
        assertThat(FeedPoller.fromDeclaration("\n<rss/>".getBytes(StandardCharsets.US_ASCII))).asString(StandardCharsets.US_ASCII).isEqualTo("\n<rss/>");
    }

    @Test
    void anRss091FeedWithTheNetscapeDoctypeIsReadAndAnInternalSubsetStillRefused() throws Exception {
        FeedStatus netscape = poll("/netscape");
        assertThat(netscape.lastErrorReason()).isNull();
        assertThat(netscape.itemsPublished()).isEqualTo(1);
        assertThat(poll("/xxe").lastErrorReason()).contains("DOCTYPE");
        assertThat(FeedPoller.doctypeWithoutInternalSubset("<!DOCTYPE rss SYSTEM \"x.dtd\"><rss/>".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(FeedPoller.doctypeWithoutInternalSubset("<!DOCTYPE rss [<!ENTITY a \"b\">]><rss/>".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(FeedPoller.doctypeWithoutInternalSubset("<rss/>".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void aDeeplyNestedFeedIsThatFeedsErrorAndTheOthersInTheCycleArePolled() throws Exception {
        // Given two deeply nested feeds and a good one, all due
        poller.add(base + "/deep-atom", Duration.ofMinutes(5));
        poller.add(base + "/deep-rss", Duration.ofMinutes(5));
        String good = base + "/rss?after-deep";
        poller.add(good, Duration.ofMinutes(5));
        int rssHits = hits.getOrDefault("/rss", new AtomicInteger()).get();

        // When one poll cycle runs
        poller.cycle().get(60, TimeUnit.SECONDS);

        // Then each deep feed failed with its reason, and the good feed after them was polled in the same cycle
        for (String path : List.of("/deep-atom", "/deep-rss")) {
            FeedStatus deep = poller.status(base + path).orElseThrow();
            assertThat(deep.lastErrorReason()).as(path).isNotNull().containsAnyOf("not an RSS or Atom feed", "could not be read");
            assertThat(deep.consecutiveFailures()).as(path).isEqualTo(1);
        }
        assertThat(hits.get("/rss").get()).isGreaterThan(rssHits);
        assertThat(poller.status(good).orElseThrow().lastErrorReason()).isNull();
        poller.remove(good);
        poller.remove(base + "/deep-atom");
        poller.remove(base + "/deep-rss");
    }

    @Test
    void badEntriesAreDeadLetteredAndTheGoodOnesPublished() throws Exception {
        FeedStatus status = poll("/bad-entries");

        assertThat(status.lastErrorReason()).isNull();
        assertThat(status.itemsSeen()).isEqualTo(4);
        assertThat(status.itemsPublished()).isEqualTo(2);
        assertThat(status.itemsRefused()).isEqualTo(2);
        var dlq = TopicReader.awaitByKey(TopicReader.DEAD_LETTERS, r -> reasons(r).stream().filter(s -> s.contains("future-" + MARKER)
                || s.contains("empty-" + MARKER)).count() >= 2);
        List<String> mine = reasons(dlq).stream().filter(s -> s.contains("future-" + MARKER) || s.contains("empty-" + MARKER)).toList();
        assertThat(mine).anySatisfy(r -> assertThat(r).contains("future-" + MARKER).contains("in the future"));
        assertThat(mine).anySatisfy(r -> assertThat(r).contains("empty-" + MARKER).contains("no text"));

        // When the feed is polled again with the same entries, its refused entries are not dead-lettered again
        FeedStatus again = poller.poll(base + "/bad-entries");
        assertThat(again.itemsRefused()).isEqualTo(4);
        Thread.sleep(3_000);
        assertThat(reasons(TopicReader.byKey(TopicReader.DEAD_LETTERS)).stream()
                .filter(s -> s.contains("future-" + MARKER) || s.contains("empty-" + MARKER)).count()).isEqualTo(2);
    }

    private static List<String> reasons(Map<String, List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>>> dlq) {
        return dlq.values().stream().flatMap(List::stream)
                .map(r -> TopicReader.text(TopicReader.decode("DeadLetter", r.value()), "reason")).toList();
    }

    @Test
    void anEntryWhoseBytesDoNotDecodeIsDeadLetteredNotPublishedBroken() throws Exception {
        // A feed that declares UTF-8, with one entry's title in Latin-1 bytes
        FeedStatus status = poll("/utf8-with-latin1");

        // The clean entry is published, the broken one refused with the reason, never with U+FFFD in its text
        assertThat(status.lastErrorReason()).isNull();
        assertThat(status.itemsPublished()).isEqualTo(1);
        assertThat(status.itemsRefused()).isEqualTo(1);
        String clean = ItemIds.ofNativeId(base + "/utf8-with-latin1", "clean-" + MARKER);
        String broken = ItemIds.ofNativeId(base + "/utf8-with-latin1", "broken-" + MARKER);
        TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(clean));
        assertThat(TopicReader.byKey(TopicReader.RAW_TEXT)).doesNotContainKey(broken);
        var dlq = TopicReader.awaitByKey(TopicReader.DEAD_LETTERS, r -> reasons(r).stream().anyMatch(x -> x.contains("broken-" + MARKER)));
        assertThat(reasons(dlq).stream().filter(x -> x.contains("broken-" + MARKER))).singleElement().asString()
                .contains("replacement characters (U+FFFD)").contains("not valid UTF-8");
        given().get("/q/metrics").then().statusCode(200).body(containsString("ingest_feeds_undecodable_entries_total"));
    }

    @Test
    void theHttpCharsetAndAByteOrderMarkChooseTheEncoding() throws Exception {
        for (String path : List.of("/charset-header", "/bom")) {
            FeedStatus status = poll(path);
            assertThat(status.lastErrorReason()).as(path).isNull();
            assertThat(status.itemsPublished()).as(path).isEqualTo(2);
            String marker = path.equals("/bom") ? "bom-" : "header-";
            String id = ItemIds.ofNativeId(base + path, "https://x.test/b/" + marker + MARKER);
            var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(id));
            assertThat(TopicReader.text(TopicReader.decode("RawText", raw.get(id).get(0).value()), "body")).as(path).isEqualTo("Café day for $MSFT");
        }
    }

    @Test
    void aFeedsTickersAndNameGoToEachEntryAndItsIdsStayTheURLs() throws Exception {
        // Yahoo Finance's TSLA headlines: 20 entries, none with a ticker of its own
        String url = base + "/real/yahoo-finance-tsla-2025.xml";
        FeedStatus status = poller.add(new FeedSpec(url, Duration.ofMinutes(5), List.of("tsla", "$TSLA"), "Yahoo Finance TSLA"));
        assertThat(status.tickers()).containsExactly("TSLA");

        FeedStatus polled = poller.poll(url);

        assertThat(polled.lastErrorReason()).isNull();
        assertThat(polled.itemsPublished()).isEqualTo(20);
        String id = ItemIds.ofNativeId(url, "4b2588dd-dc6f-3d71-84e0-de1ef9da2e48");
        var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(id));
        GenericRecord first = TopicReader.decode("RawText", raw.get(id).get(0).value());
        assertThat(TopicReader.text(first, "source")).isEqualTo("Yahoo Finance TSLA");
        assertThat(TopicReader.texts(first, "tickers")).containsExactly("TSLA");
        assertThat(TopicReader.text(first, "title")).isEqualTo("Prediction: 1 EV Stock That Will Be Worth More Than Lucid 1 Year From Now");
        assertThat(first.get("published_at_estimated")).isEqualTo(false);
        List<GenericRecord> all = publishedFrom("Yahoo Finance TSLA", 20);
        assertThat(all).hasSize(20).allSatisfy(r -> assertThat(TopicReader.texts(r, "tickers")).contains("TSLA"));
    }

    @Test
    void secEdgarGoogleAlertsAndTechCrunchArePublishedEntryForEntry() throws Exception {
        // SEC EDGAR's latest filings (Atom, ISO-8859-1 declared, ASCII): 100 filings, the form type is a category, not a ticker
        FeedStatus sec = poll("/real/sec-edgar-getcurrent-2018.xml");
        assertThat(sec.lastErrorReason()).isNull();
        assertThat(sec.itemsPublished()).isEqualTo(100);
        List<GenericRecord> filings = publishedFrom(base + "/real/sec-edgar-getcurrent-2018.xml", 100);
        assertThat(filings).hasSize(100).allSatisfy(r -> {
            assertThat(TopicReader.text(r, "url")).startsWith("http://www.sec.gov/Archives/edgar/data/");
            assertThat(TopicReader.text(r, "body")).startsWith("Filed: 2018-04-2").contains("AccNo:");
            assertThat(TopicReader.texts(r, "tickers")).isEmpty();
        });
        assertThat(filings).anySatisfy(r -> assertThat(TopicReader.text(r, "title"))
                .isEqualTo("13F-HR - Mivtachim The Workers Social Insurance Fund Ltd. (Under Special Management) (0001599719) (Filer)"));

        // Google Alerts (Atom, HTML titles with <b>, empty author names): 20 entries, markup gone
        FeedStatus alerts = poll("/real/google-alerts-slack-2019.xml");
        assertThat(alerts.lastErrorReason()).isNull();
        assertThat(alerts.itemsPublished()).isEqualTo(20);
        List<GenericRecord> fromAlerts = publishedFrom(base + "/real/google-alerts-slack-2019.xml", 20);
        assertThat(fromAlerts).hasSize(20).allSatisfy(r -> {
            assertThat(TopicReader.text(r, "title") + TopicReader.text(r, "body")).doesNotContain("<b>").doesNotContain("&lt;").doesNotContain("&nbsp;");
            assertThat(TopicReader.text(r, "url")).startsWith("https://www.google.com/url?");
            assertThat(r.get("author")).isNull();
        });
        assertThat(fromAlerts).anySatisfy(r -> assertThat(TopicReader.text(r, "title"))
                .startsWith("Report offers Prediction of Automotive Slack Market by Top key players like Haldex"));

        // TechCrunch (FeedBurner, a blank line before <?xml, full HTML in content:encoded): 20 posts, plain text
        FeedStatus tc = poll("/real/techcrunch-2011.xml");
        assertThat(tc.lastErrorReason()).isNull();
        assertThat(tc.itemsPublished()).isEqualTo(20);
        List<GenericRecord> posts = publishedFrom(base + "/real/techcrunch-2011.xml", 20);
        assertThat(posts).hasSize(20).allSatisfy(r -> {
            assertThat(TopicReader.text(r, "body")).doesNotContain("<p>").doesNotContain("<img").doesNotContain("\uFFFD").hasSizeGreaterThan(100);
            assertThat(TopicReader.text(r, "url")).startsWith("http");
        });
    }

    @Test
    void aSlowFeedDoesNotHoldBackTheOthersInItsCycle() throws Exception {
        // Given a feed that answers after 5 s (past the 2 s timeout) and a good one, both due
        String slow = base + "/slow?isolation";
        String good = base + "/rss?isolation";
        poller.add(slow, Duration.ofMinutes(5));
        poller.add(good, Duration.ofMinutes(5));

        // When a cycle starts, the good feed is polled while the slow one still waits
        var cycle = poller.cycle();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (poller.status(good).orElseThrow().lastSuccess() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(poller.status(good).orElseThrow().lastSuccess()).isNotNull();
        assertThat(cycle).as("the slow feed is still being polled").isNotDone();
        cycle.get(30, TimeUnit.SECONDS);
        assertThat(poller.status(slow).orElseThrow().lastErrorReason()).contains("within 2 s");
        poller.remove(slow);
        poller.remove(good);
    }

    @Test
    void theFeedListIsManagedOverRestWithTheFeedsRole() {
        String url = base + "/rss?rest=" + MARKER;
        given().contentType("application/json").body("{\"url\": \"" + url + "\"}").post("/v1/feeds").then().statusCode(401);
        given().header("X-API-Key", "test-push-key").contentType("application/json").body("{\"url\": \"" + url + "\"}").post("/v1/feeds")
                .then().statusCode(403).body("error", containsString("feeds role"));
        given().header("X-API-Key", "test-admin-key").contentType("application/json").body("{\"url\": \"ftp://x\"}").post("/v1/feeds")
                .then().statusCode(400).body("error", containsString("http or https"));
        given().header("X-API-Key", "test-admin-key").contentType("application/json").body("{\"url\": \"" + url + "\", \"interval\": \"often\"}")
                .post("/v1/feeds").then().statusCode(400).body("error", containsString("ISO-8601"));
        given().header("X-API-Key", "test-admin-key").contentType("application/json").body("{\"url\": \"" + url + "\", \"interval\": \"PT2M\"}")
                .post("/v1/feeds").then().statusCode(201).body("pollIntervalSeconds", equalTo(120));

        given().get("/v1/feeds").then().statusCode(401);
        given().header("X-API-Key", "test-admin-key").get("/v1/feeds").then().statusCode(200).body("url", hasItem(base + "/rss?…"))
                .body("id", hasItem(FeedPoller.idOf(url)));
        given().header("X-API-Key", "test-admin-key").queryParam("url", url).get("/v1/feeds/status").then().statusCode(200).body("itemsSeen", equalTo(0));
        given().header("X-API-Key", "test-admin-key").queryParam("url", url).delete("/v1/feeds").then().statusCode(204);
        given().header("X-API-Key", "test-admin-key").queryParam("url", url).get("/v1/feeds/status").then().statusCode(404);
    }
}
