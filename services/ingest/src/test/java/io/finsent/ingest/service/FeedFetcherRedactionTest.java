package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;

/** Feed addresses in logs and error reasons lose what may hold a secret: user info and the query. */
class FeedFetcherRedactionTest {

    @Test
    void theQueryAndUserInfoNeverAppear() {
        assertThat(FeedFetcher.redacted(URI.create("https://user:s3cret@news.example.com:8443/rss/markets?token=abc123&x=1")))
                .isEqualTo("https://news.example.com:8443/rss/markets?…").doesNotContain("s3cret", "abc123");
    }

    @Test
    void anAddressWithoutSecretsStaysReadable() {
        assertThat(FeedFetcher.redacted(URI.create("http://127.0.0.1:8080/feed.xml"))).isEqualTo("http://127.0.0.1:8080/feed.xml");
        assertThat(FeedFetcher.redacted(URI.create("https://example.com"))).isEqualTo("https://example.com");
    }
}
