package io.finsent.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ItemNormaliserTest {

    @Test
    void htmlBecomesTextWithEntitiesDecodedAndScriptsDropped() {
        String html = "<p>Apple&nbsp;&amp; <b>Microsoft</b> rally</p><script>alert('x')</script><style>p{}</style><div>on&#32;AI</div>";

        assertThat(ItemNormaliser.toPlainText(html)).isEqualTo("Apple & Microsoft rally on AI");
    }

    @Test
    void textIsNfcWithControlCharactersRemovedAndWhitespaceCollapsed() {
        String decomposed = "Cafe\u0301\tshares\u00a0\u00a0up\n\n\u0007 3%\u200a ";

        assertThat(ItemNormaliser.toPlainText(decomposed)).isEqualTo("Café shares up 3%");
    }

    @Test
    void plainTextWithoutMarkupIsLeftAsItIsApartFromWhitespace() {
        assertThat(ItemNormaliser.toPlainText("  $AAPL > $MSFT?  ")).isEqualTo("$AAPL > $MSFT?");
        assertThat(ItemNormaliser.toPlainText(null)).isNull();
    }

    @Test
    void aDeeplyNestedHtmlBombIsFlattenedWithoutBlowingTheStack() {
        String bomb = "<div>".repeat(50_000) + "deep" + "</div>".repeat(50_000);

        assertThat(ItemNormaliser.toPlainText(bomb)).isEqualTo("deep");
    }

    @Test
    void cashtagsAreUpperCaseInOrderOfFirstMentionWithoutRepeats() {
        assertThat(ItemNormaliser.cashtags("$aapl and $MSFT beat; $AAPL again, $BRK.A and $RDS-B too"))
                .containsExactly("AAPL", "MSFT", "BRK.A", "RDS-B");
    }

    @Test
    void dollarAmountsAndEmbeddedDollarSignsAreNotCashtags() {
        assertThat(ItemNormaliser.cashtags("paid $5 and $12.50 for US$AAPL or $$TSLA, email a$b")).isEmpty();
    }

    @Test
    void tickersMergeSourceTickersAndCashtags() {
        assertThat(ItemNormaliser.tickers(List.of("FB"), "$GOOG beats", "$FB and $TWTR")).containsExactly("FB", "GOOG", "TWTR");
    }

    @Test
    void aSourceTickerIsNormalisedOrRefused() {
        assertThat(ItemNormaliser.ticker(" $brk-b ")).isEqualTo("BRK-B");
        assertThat(ItemNormaliser.ticker("two words")).isNull();
        assertThat(ItemNormaliser.ticker("")).isNull();
        assertThat(ItemNormaliser.ticker("ABCDEFGHIJKLMN")).isNull();
        assertThat(ItemNormaliser.ticker("\u00dfap")).as("upper case would be SSAP").isNull();
        assertThat(ItemNormaliser.ticker("\u0131bm")).as("upper case would be IBM").isNull();
    }
}
