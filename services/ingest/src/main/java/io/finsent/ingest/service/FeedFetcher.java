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

/**
 * One HTTP fetch of a feed: a conditional GET (If-None-Match, If-Modified-Since), redirects followed by
 * hand up to a limit with loops detected, one deadline for the whole exchange (a slow-dripping server
 * cannot hold a poller), and a size cap enforced while reading. Failures are {@link FeedFetchException}
 * with a reason for the feed's status.
 */
final class FeedFetcher {

    /** The answer: not modified, or the body with its validators for the next conditional GET. */
    record Fetched(boolean notModified, byte[] body, String contentType, String etag, String lastModified, URI finalUri) {
    }

    static final class FeedFetchException extends Exception {
        FeedFetchException(String message) {
            super(message);
        }
    }

    private final HttpClient client;
    private final Duration timeout;
    private final int maxBytes;
    private final int maxRedirects;

    FeedFetcher(Duration timeout, int maxBytes, int maxRedirects) {
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
                throw new FeedFetchException("redirect loop: " + current + " was already visited");
            }
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
                    throw new FeedFetchException("HTTP " + status + " without a Location header from " + current);
                }
                if (hop >= maxRedirects) {
                    throw new FeedFetchException("more than " + maxRedirects + " redirects, the last to " + location);
                }
                try {
                    current = current.resolve(new URI(location.strip()));
                } catch (URISyntaxException e) {
                    throw new FeedFetchException("HTTP " + status + " to an invalid Location: " + location);
                }
                String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    throw new FeedFetchException("redirect to a non-HTTP URL: " + current);
                }
                continue;
            }
            if (status == 304) {
                return new Fetched(true, null, null, etag, lastModified, current);
            }
            if (status != 200) {
                throw new FeedFetchException("HTTP " + status + " from " + current);
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
            throw new FeedFetchException("cannot fetch " + redacted(request.uri()) + ": " + (cause instanceof IOException && cause.getMessage() == null
                    ? cause.getClass().getSimpleName() : String.valueOf(cause.getMessage())));
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
    static String redacted(URI uri) {
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getHost() + port + path + (uri.getRawQuery() == null ? "" : "?…");
    }
}
