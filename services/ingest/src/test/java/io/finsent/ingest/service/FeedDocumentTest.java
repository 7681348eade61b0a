package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A feed's document on its own: the parse budget, the encoding check, and the feeds file's lines. */
class FeedDocumentTest {

    private static byte[] bigFeed(int entries) {
        StringBuilder rss = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Big</title>");
        for (int i = 0; i < entries; i++) {
            rss.append("<item><guid>g-").append(i).append("</guid><title>Entry ").append(i).append("</title><description>")
                    .append("Shares of Acme rose in early trading. ".repeat(20)).append("</description></item>");
        }
        return rss.append("</channel></rss>").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDocumentParsedWithinItsBudgetGivesItsEntries() throws Exception {
        FeedPoller.Parsed parsed = FeedPoller.read(bigFeed(50), "application/rss+xml", System.nanoTime() + TimeUnit.SECONDS.toNanos(30));

        assertThat(parsed.feed().getEntries()).hasSize(50);
        assertThat(parsed.encoding()).isEqualTo("UTF-8");
        assertThat(parsed.undecodable()).isNull();
    }

    @Test
    void aParseStopsWhenItsBudgetIsSpent() {
        byte[] document = bigFeed(2_000); // about 1.6 MB, read 4 KB at a time

        assertThatThrownBy(() -> FeedPoller.read(document, "application/rss+xml", System.nanoTime() - 1))
                .isInstanceOf(FeedPoller.ParseBudgetSpent.class);
    }

    @Test
    void bytesThatDoNotDecodeAreNamedByTheirOffset() {
        byte[] latin1InUtf8 = "<rss>Caf\u00e9</rss>".getBytes(StandardCharsets.ISO_8859_1);

        assertThat(FeedPoller.undecodable(latin1InUtf8, "UTF-8")).isEqualTo("byte 8 of the document is not valid UTF-8");
        assertThat(FeedPoller.undecodable(latin1InUtf8, "ISO-8859-1")).isNull();
        assertThat(FeedPoller.undecodable("<rss>Caf\u00e9</rss>".getBytes(StandardCharsets.UTF_8), "UTF-8")).isNull();
        assertThat(FeedPoller.undecodable(new byte[0], "UTF-8")).isNull();
        assertThat(FeedPoller.undecodable(new byte[] {'a'}, "x-no-such-charset")).contains("not one this service knows");
        // a long clean document crosses the decoder's buffer many times
        assertThat(FeedPoller.undecodable("\u00e9t\u00e9 ".repeat(10_000).getBytes(StandardCharsets.UTF_8), "UTF-8")).isNull();
    }

    @Test
    void aFeedsFileLineGivesTheURLAndItsOptions() {
        FeedSpec spec = FeedSpec.parseLine("  https://example.com/rss?x=1   interval=PT10M tickers=AAPL,msft,  name=\"Apple newsroom\"  ");

        assertThat(spec.url()).isEqualTo("https://example.com/rss?x=1");
        assertThat(spec.interval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(spec.tickers()).containsExactly("AAPL", "msft");
        assertThat(spec.name()).isEqualTo("Apple newsroom");
        assertThat(FeedSpec.parseLine("https://example.com/rss")).isEqualTo(new FeedSpec("https://example.com/rss", null, List.of(), null));
        assertThat(FeedSpec.parseLine("https://example.com/rss name=Wire").name()).isEqualTo("Wire");
    }

    @Test
    void aBadFeedsFileLineSaysWhatIsWrong() {
        assertThatThrownBy(() -> FeedSpec.parseLine("https://example.com/rss every=5m")).hasMessageContaining("unknown option 'every'");
        assertThatThrownBy(() -> FeedSpec.parseLine("https://example.com/rss interval=5m")).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> FeedSpec.parseLine("https://example.com/rss AAPL")).hasMessageContaining("after the URL, expected");
        assertThatThrownBy(() -> FeedSpec.parseLine("https://example.com/rss name=\"unclosed")).hasMessageContaining("after the URL, expected");
        assertThatThrownBy(() -> FeedSpec.parseLine("https://example.com/rss tickers=")).hasMessageContaining("after the URL, expected");
    }

    @Test
    void categoriesAndMediaKeywordsGiveTickersOnlyWhereTheyHoldSymbols() throws Exception {
        byte[] rss = ("<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>t</title><item>"
                + "<guid>g</guid><title>Chips</title><category>NASDAQ:NVDA</category><category domain=\"https://example.com/symbols\">amd</category>"
                + "<category domain=\"https://example.com/sections\">TECH</category><category>Earnings</category>"
                + "<media:keywords>semiconductors, $INTC, NYSE:TSM, earnings</media:keywords>"
                + "<media:category scheme=\"urn:example:ticker\">QCOM</media:category></item></channel></rss>").getBytes(StandardCharsets.UTF_8);
        var entry = FeedPoller.read(rss, "application/rss+xml", System.nanoTime() + TimeUnit.SECONDS.toNanos(30)).feed().getEntries().get(0);
        List<String> tickers = new java.util.ArrayList<>();

        entry.getCategories().forEach(c -> FeedPoller.categoryTicker(c.getName(), c.getTaxonomyUri(), tickers, 64));
        FeedPoller.fromForeignMarkup(entry.getForeignMarkup(), tickers, 64, new String[1]);

        assertThat(tickers).containsExactly("NVDA", "AMD", "INTC", "TSM", "QCOM");
        List<String> few = new java.util.ArrayList<>(List.of("A", "B"));
        FeedPoller.categoryTicker("$MSFT", null, few, 2);
        assertThat(few).as("at most maxTickers").containsExactly("A", "B");
    }
}
