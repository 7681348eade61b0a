package io.finsent.ingest.service;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.finsent.common.TargetPolicy;

/**
 * One HTTP fetch of a feed: a conditional GET (If-None-Match, If-Modified-Since), redirects followed by
 * hand up to a limit with loops detected, one deadline for the whole exchange (a slow-dripping server
 * cannot hold a poller), and a size cap enforced while reading. Every hop's target goes through the
 * {@link TargetPolicy} first (no SSRF through a feed URL or its redirects). Failures are
 * {@link FeedFetchException} with a reason for the feed's status that shows URLs redacted and says only
 * "no HTTP answer" for every transport failure (refused, reset, closed, TLS), so the status cannot tell
 * internal ports apart; the exception's detail, for the log, has the cause.
 */
final class FeedFetcher {

    /** The answer: not modified, or the body with its validators for the next conditional GET. */
    record Fetched(boolean notModified, byte[] body, String contentType, String etag, String lastModified, URI finalUri) {
    }

    static final class FeedFetchException extends Exception {
        private final String detail;

        FeedFetchException(String message) {
            this(message, null);
        }

        FeedFetchException(String message, String detail) {
            super(message);
            this.detail = detail;
        }

        /** What the log may say beyond the reason (the transport error), or null. */
        String detail() {
            return detail;
        }
    }

    private final HttpClient client;
    private final TargetPolicy policy;
    private final Duration timeout;
    private final int maxBytes;
    private final int maxRedirects;

    FeedFetcher(TargetPolicy policy, Duration timeout, int maxBytes, int maxRedirects) {
        this.policy = policy;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.maxRedirects = maxRedirects;
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
    }

    Fetched fetch(URI uri, String etag, String lastModified) throws FeedFetchException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<URI> visited = new HashSet<>();
        URI current = uri;
        for (int hop = 0; ; hop++) {
            if (!visited.add(current)) {
                throw new FeedFetchException("redirect loop: " + redacted(current) + " was already visited");
            }
            allowed(current, hop);
            HttpRequest.Builder request = HttpRequest.newBuilder(current).GET().timeout(remaining(deadline))
                    .header("User-Agent", "finsent-ingest/0.1 (+https://github.com/finsent)")
                    .header("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1");
            if (etag != null) {
                request.header("If-None-Match", etag);
            }
            if (lastModified != null) {
                request.header("If-Modified-Since", lastModified);
            }
            HttpResponse<byte[]> response = send(request.build(), deadline);
            int status = response.statusCode();
            if (status >= 300 && status < 400 && status != 304) {
                String location = response.headers().firstValue("Location").orElse(null);
                if (location == null) {
                    throw new FeedFetchException("HTTP " + status + " without a Location header from " + redacted(current));
                }
                try {
                    current = current.resolve(new URI(location.strip()));
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new FeedFetchException("HTTP " + status + " to an invalid Location header");
                }
                if (hop >= maxRedirects) {
                    throw new FeedFetchException("more than " + maxRedirects + " redirects, the last to " + redacted(current));
                }
                String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    throw new FeedFetchException("redirect to a non-HTTP URL (scheme " + scheme + ")");
                }
                continue;
            }
            if (status == 304) {
                return new Fetched(true, null, null, etag, lastModified, current);
            }
            if (status != 200) {
                throw new FeedFetchException("HTTP " + status + " from " + redacted(current));
            }
            return new Fetched(false, response.body(), response.headers().firstValue("Content-Type").orElse(null),
                    response.headers().firstValue("ETag").orElse(null), response.headers().firstValue("Last-Modified").orElse(null), current);
        }
    }

    private HttpResponse<byte[]> send(HttpRequest request, long deadline) throws FeedFetchException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request, info -> new CappedBody(maxBytes));
        try {
            return future.get(Math.max(1, remaining(deadline).toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new FeedFetchException("no complete answer within " + timeout.toSeconds() + " s from " + redacted(request.uri()));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TooLarge) {
                throw new FeedFetchException("the feed is larger than the limit of " + maxBytes + " bytes: " + redacted(request.uri()));
            }
            if (cause instanceof java.net.http.HttpTimeoutException) {
                throw new FeedFetchException("no answer within " + timeout.toSeconds() + " s from " + redacted(request.uri()));
            }
            throw new FeedFetchException("no HTTP answer from " + redacted(request.uri()) + " (the connection failed or closed)",
                    cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
    }

    /** The policy's reason, with the setting that would let it through where there is one. */
    static String explained(TargetPolicy.Refused refused) {
        return refused.reason() + (refused.privateNetwork() ? " (ingest.feeds.allow-private-targets=true lets feeds on your own network through)" : "");
    }

    /** Refuses a target the policy does not allow: the feed's own URL (hop 0) or a redirect's. */
    private void allowed(URI target, int hop) throws FeedFetchException {
        TargetPolicy.Decision decision = policy.check(target.toString());
        String where = hop == 0 ? "" : " (redirect " + hop + ")";
        if (decision instanceof TargetPolicy.Refused refused) {
            throw new FeedFetchException("refused to fetch " + redacted(target) + where + ": " + explained(refused));
        }
        if (decision instanceof TargetPolicy.Unresolved unresolved) {
            throw new FeedFetchException("cannot fetch " + redacted(target) + where + ": " + unresolved.reason());
        }
    }

    private static Duration remaining(long deadline) {
        long nanos = deadline - System.nanoTime();
        return Duration.ofNanos(Math.max(nanos, 1_000_000));
    }

    private static final class TooLarge extends IOException {
        TooLarge() {
            super("body over the size limit");
        }
    }

    /** Collects the body and gives up (cancelling the exchange) as soon as it passes the cap. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private Flow.Subscription subscription;

        CappedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }

    /**
     * A feed's address for logs and error reasons: without user info and query, where feeds carry their access
     * tokens ({@code ?token=...}), so the secret never reaches a log line or a status page.
     */
    static String redacted(String url) {
        try {
            URI uri = new URI(url.strip());
            return uri.getScheme() == null || uri.getHost() == null ? "a URL that is not absolute" : redacted(uri);
        } catch (URISyntaxException e) {
            return "an invalid URL";
        }
    }

    static String redacted(URI uri) {
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getHost() + port + path + (uri.getRawQuery() == null ? "" : "?…");
    }
}
