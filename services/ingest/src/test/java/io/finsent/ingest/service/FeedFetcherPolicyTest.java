package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.finsent.common.TargetPolicy;

/**
 * No SSRF through a feed: the fetcher asks the address policy before every hop, the feed's own URL and each redirect,
 * and a refused target is never connected to. Transport failures all read the same, so a feed's status cannot tell
 * what answers on an internal port.
 */
class FeedFetcherPolicyTest {

    private static final TargetPolicy STRICT = TargetPolicy.builder().allowUserInfo(true).build();
    private HttpServer server;
    private int port;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        port = server.getAddress().getPort();
        server.createContext("/rss", ex -> {
            requests.incrementAndGet();
            byte[] body = "<rss version=\"2.0\"><channel><title>t</title></channel></rss>".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/to", ex -> {
            requests.incrementAndGet();
            ex.getResponseHeaders().add("Location", ex.getRequestURI().getQuery().replace("PORT", Integer.toString(port)));
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static FeedFetcher fetcher(TargetPolicy policy) {
        return new FeedFetcher(policy, Duration.ofSeconds(2), 1 << 20, 5);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://127.0.0.1:PORT/rss", "http://localhost:PORT/rss", "http://[::1]:PORT/rss", "http://127.1:PORT/rss",
            "http://2130706433:PORT/rss", "http://0x7f.0.0.1:PORT/rss", "http://0177.0.0.1:PORT/rss", "http://[::ffff:127.0.0.1]:PORT/rss",
            "http://0.0.0.0:PORT/rss", "http://127.0.0.1.:PORT/rss", "http://user:pw@127.0.0.1:PORT/rss?token=t", "http://169.254.169.254/latest/meta-data/"})
    void everyLoopbackSpellingIsRefusedBeforeAnyConnection(String spelling) {
        URI uri = URI.create(spelling.replace("PORT", Integer.toString(port)));

        assertThatThrownBy(() -> fetcher(STRICT).fetch(uri, null, null)).isInstanceOf(FeedFetcher.FeedFetchException.class)
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("refused to fetch", "cannot fetch").doesNotContain("pw").doesNotContain("token=t"));
        assertThat(requests.get()).as("nothing reached the server").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://[::1]:PORT/rss", "http://127.0.0.2:PORT/rss", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin"})
    void aRedirectToARefusedAddressIsNotFollowed(String target) {
        // Given a policy that lets 127.0.0.1 through, as if it were a public host, and a feed there that redirects inward
        TargetPolicy publicLoopback = TargetPolicy.builder().allowCidr("127.0.0.1/32").build();
        URI feed = URI.create("http://127.0.0.1:" + port + "/to?" + target);

        assertThatThrownBy(() -> fetcher(publicLoopback).fetch(feed, null, null)).isInstanceOf(FeedFetcher.FeedFetchException.class)
                .hasMessageContaining("refused to fetch").hasMessageContaining("(redirect 1)");
        assertThat(requests.get()).as("only the feed's own URL was fetched").isEqualTo(1);
    }

    @Test
    void withPrivateTargetsAllowedALoopbackFeedIsFetched() throws Exception {
        TargetPolicy onPremises = TargetPolicy.builder().allowPrivateTargets(true).build();

        FeedFetcher.Fetched fetched = fetcher(onPremises).fetch(URI.create("http://127.0.0.1:" + port + "/rss"), null, null);

        assertThat(fetched.notModified()).isFalse();
        assertThat(new String(fetched.body(), StandardCharsets.UTF_8)).startsWith("<rss");
        // Link-local and metadata addresses stay refused even then
        assertThatThrownBy(() -> fetcher(onPremises).fetch(URI.create("http://169.254.169.254/latest/meta-data/"), null, null))
                .hasMessageContaining("link-local");
    }

    @Test
    void aClosedPortAndAServerThatHangsUpReadTheSame() throws Exception {
        TargetPolicy onPremises = TargetPolicy.builder().allowPrivateTargets(true).build();
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = probe.getLocalPort();
        }
        String refused = reason(onPremises, "http://127.0.0.1:" + closed + "/x");
        String hungUp;
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Thread accepter = new Thread(() -> {
                // every connection (the client retries a GET once) read, then closed without a byte
                while (!silent.isClosed()) {
                    try (Socket s = silent.accept()) {
                        s.getInputStream().read(new byte[256]);
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
            accepter.start();
            hungUp = reason(onPremises, "http://127.0.0.1:" + silent.getLocalPort() + "/x");
            silent.close();
            accepter.join(5_000);
            assertThat(hungUp.replace(Integer.toString(silent.getLocalPort()), "P")).isEqualTo(refused.replace(Integer.toString(closed), "P"));
        }
        assertThat(refused).contains("no HTTP answer").doesNotContain("Connect").doesNotContain("refused");
    }

    private static String reason(TargetPolicy policy, String url) {
        try {
            fetcher(policy).fetch(URI.create(url), null, null);
            throw new AssertionError("fetched " + url);
        } catch (FeedFetcher.FeedFetchException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
