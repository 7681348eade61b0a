package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;


/**
 * {@code ./monitor feeds} as a client of ingest's /v1/feeds: what it sends, with which key, and what it says when the
 * service refuses, is away, or there is no key. (The service side is tested in ingest's own tests.)
 */
class FeedsCommandTest {

    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer ingest;
    private String url;
    private Path keyFile;

    @BeforeEach
    void start() throws IOException {
        keyFile = dir.resolve("push.key");
        Files.writeString(keyFile, "fsp_test\n");
        ingest = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ingest.createContext("/v1/feeds", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " key=" + ex.getRequestHeaders().getFirst("X-API-Key") + " " + body);
            String answer;
            int status;
            if (!"fsp_test".equals(ex.getRequestHeaders().getFirst("X-API-Key"))) {
                status = 401;
                answer = "{\"error\": \"no API key\"}";
            } else if (ex.getRequestMethod().equals("POST") && body.contains("127.0.0.1")) {
                status = 400;
                answer = "{\"error\": \"'http://127.0.0.1/rss' is refused: loopback\"}";
            } else if (ex.getRequestMethod().equals("POST")) {
                status = 201;
                answer = "{\"id\": \"f-0123456789ab\", \"url\": \"https://example.com/rss\", \"name\": \"Wire\", \"tickers\": [\"AAPL\", \"MSFT\"],"
                        + " \"pollIntervalSeconds\": 600}";
            } else if (ex.getRequestMethod().equals("DELETE")) {
                status = ex.getRequestURI().getPath().endsWith("f-0123456789ab")
                        || "url=https://u:p@example.com/rss?token=t".equals(ex.getRequestURI().getQuery()) ? 204 : 404;
                answer = status == 204 ? "" : "{\"error\": \"no feed f-nope; GET /v1/feeds lists them\"}";
            } else {
                status = 200;
                answer = "[{\"id\": \"f-0123456789ab\", \"url\": \"https://example.com/rss?…\", \"tickers\": [], \"pollIntervalSeconds\": 300,"
                        + " \"itemsSeen\": 4, \"itemsPublished\": 3, \"itemsRefused\": 1, \"lastErrorReason\": null}]";
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(bytes);
            }
        });
        ingest.createContext("/v1/items", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " key=" + ex.getRequestHeaders().getFirst("X-API-Key") + " " + body);
            boolean bad = body.contains("\"tickers\":[\"not a ticker\"]");
            byte[] bytes = (bad ? "{\"error\": \"invalid items\", \"items\": [{\"index\": 0, \"field\": \"tickers[0]\", \"message\": \"not a ticker\"}]}"
                    : "{\"ids\": [\"n-00aa\"], \"published\": 1, \"duplicates\": 0}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(bad ? 400 : 202, bytes.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(bytes);
            }
        });
        ingest.start();
        url = "http://127.0.0.1:" + ingest.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        ingest.stop(0);
    }

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void addSendsTheFeedWithItsOptionsAndTheKey() throws Exception {
        int code = run("feeds", "add", "https://example.com/rss", "--interval", "PT10M", "--tickers", "AAPL,MSFT", "--name", "Wire",
                "--ingest", url, "--key-file", keyFile.toString(), "--json");

        assertThat(code).as(err.toString()).isZero();
        assertThat(requests).singleElement().asString().startsWith("POST /v1/feeds key=fsp_test ");
        JsonNode sent = new ObjectMapper().readTree(requests.get(0).substring(requests.get(0).indexOf('{')));
        assertThat(sent.toString()).isEqualTo("{\"url\":\"https://example.com/rss\",\"interval\":\"PT10M\",\"tickers\":[\"AAPL\",\"MSFT\"],\"name\":\"Wire\"}");
        assertThat(new ObjectMapper().readTree(out.toString()).get("id").asText()).isEqualTo("f-0123456789ab");
    }

    @Test
    void listAndRemoveUseTheFeedsId() {
        assertThat(run("feeds", "list", "--ingest", url, "--key-file", keyFile.toString())).isZero();
        assertThat(out.toString()).contains("f-0123456789ab  https://example.com/rss?…  every 300 s").contains("4 seen, 3 published, 1 refused");

        assertThat(run("feeds", "remove", "f-0123456789ab", "--ingest", url, "--key-file", keyFile.toString())).isZero();
        assertThat(out.toString()).contains("removed f-0123456789ab");
        assertThat(run("feeds", "remove", "f-nope", "--ingest", url, "--key-file", keyFile.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no feed f-nope");
    }

    @Test
    void aRefusedFeedAWrongKeyAMissingKeyAndNoServiceEachSayWhatToDo() throws IOException {
        assertThat(run("feeds", "add", "http://127.0.0.1/rss", "--ingest", url, "--key-file", keyFile.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("ingest refused the feed: 'http://127.0.0.1/rss' is refused: loopback");

        Path wrong = dir.resolve("wrong.key");
        Files.writeString(wrong, "fsp_other");
        assertThat(run("feeds", "list", "--ingest", url, "--key-file", wrong.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("refused the key").contains("feeds role");

        assertThat(run("feeds", "list", "--ingest", url, "--key-file", dir.resolve("none.key").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no API key in").contains("./monitor up");

        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = probe.getLocalPort();
        }
        assertThat(run("feeds", "list", "--ingest", "http://127.0.0.1:" + closed, "--key-file", keyFile.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no ingest service answers at http://127.0.0.1:" + closed).contains("./monitor up");
        assertThat(run("feeds", "list", "--ingest", "not a url", "--key-file", keyFile.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("is not a URL");
    }

    @Test
    void removeTakesAURLTooAndIntervalsTakeShortForms() throws Exception {
        assertThat(run("feeds", "remove", "https://u:p@example.com/rss?token=t", "--ingest", url, "--key-file", keyFile.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("removed https://example.com/rss?…").doesNotContain("token");
        assertThat(java.net.URLDecoder.decode(requests.get(0), StandardCharsets.UTF_8)).startsWith("DELETE /v1/feeds?url=https://u:p@example.com/rss?token=t ");

        assertThat(FeedsCommand.isoDuration("10m")).isEqualTo("PT10M");
        assertThat(FeedsCommand.isoDuration("30s")).isEqualTo("PT30S");
        assertThat(FeedsCommand.isoDuration("1d")).isEqualTo("P1D");
        assertThat(FeedsCommand.isoDuration("PT5M")).isEqualTo("PT5M");
        assertThat(FeedsCommand.isoDuration("often")).as("the service says what is wrong").isEqualTo("often");
    }

    @Test
    void pushSendsOneTextNowWithItsTickersAndNamesItsId() throws Exception {
        Instant before = Instant.now();
        assertThat(run("push", "Acme shares slump after a profit warning", "--ticker", "ACME", "--ticker", "WILE", "--source", "desk",
                "--ingest", url, "--key-file", keyFile.toString())).as(err.toString()).isZero();

        assertThat(out.toString()).contains("published_at: now").contains("published n-00aa");
        JsonNode sent = new ObjectMapper().readTree(requests.get(0).substring(requests.get(0).indexOf('{')));
        assertThat(sent.get("text").asText()).isEqualTo("Acme shares slump after a profit warning");
        assertThat(sent.get("source").asText()).isEqualTo("desk");
        assertThat(sent.get("tickers").toString()).isEqualTo("[\"ACME\",\"WILE\"]");
        assertThat(Instant.parse(sent.get("published_at").asText())).isBetween(before, Instant.now());
    }

    @Test
    void aRefusedPushAndABadTimeSayWhy() {
        assertThat(run("push", "x", "--ticker", "not a ticker", "--ingest", url, "--key-file", keyFile.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("monitor push: ingest refused the text (HTTP 400)").contains("tickers[0]");
        assertThat(run("push", "x", "--published-at", "yesterday", "--ingest", url, "--key-file", keyFile.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--published-at yesterday is not an ISO-8601 instant");
        assertThat(requests).hasSize(1);
    }
}
