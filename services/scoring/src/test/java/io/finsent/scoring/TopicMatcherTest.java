package io.finsent.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finsent.schema.MatchReason;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;
import io.finsent.schema.TopicDefinition;
import io.finsent.schema.TopicMatch;

/**
 * What a text matches, and why: tickers from the source, cashtags, keywords and aliases as whole words in any case,
 * similarity last; one match per topic with its strongest reason; disabled topics never; many topics sharing a word all
 * match; and a watchlist of thousands matches as a small one does.
 */
class TopicMatcherTest {

    private static final Instant T0 = Instant.parse("2015-01-05T10:00:00Z");

    private static TopicDefinition topic(String id, List<String> tickers, List<String> keywords, List<String> aliases) {
        return TopicDefinition.newBuilder().setId(id).setName(id).setTickers(tickers).setKeywords(keywords).setAliases(aliases).setUpdatedAt(T0).build();
    }

    private static RawText text(String body, String... tickers) {
        return RawText.newBuilder().setId("t").setSourceKind(SourceKind.PUSH).setSource("test").setPublishedAt(T0).setIngestedAt(T0)
                .setTitle(null).setBody(body).setTickers(List.of(tickers)).build();
    }

    private static Map<String, MatchReason> reasons(List<TopicMatch> matches) {
        Map<String, MatchReason> m = new java.util.LinkedHashMap<>();
        matches.forEach(t -> m.put(t.getTopic(), t.getReason()));
        return m;
    }

    private static Map<String, TopicDefinition> of(TopicDefinition... topics) {
        Map<String, TopicDefinition> map = new HashMap<>();
        for (TopicDefinition t : topics) {
            map.put(t.getId(), t);
        }
        return map;
    }

    @Test
    void eachTopicMatchesOnceWithItsStrongestReasonInIdOrder() {
        TopicMatcher matcher = TopicMatcher.of(of(
                topic("apple", List.of("AAPL"), List.of("iphone"), List.of("Apple Inc")),
                topic("boeing", List.of("BA"), List.of("737 max"), List.of("Boeing")),
                topic("airlines", List.of(), List.of("boeing", "airbus"), List.of()),
                topic("fed", List.of(), List.of("rate hike"), List.of("FOMC"))));

        assertThat(reasons(matcher.match(text("Boeing's 737 MAX grounded; $AAPL flat, iPhones sold out", "BA"), null, Map.of())))
                .containsExactly(Map.entry("airlines", MatchReason.KEYWORD), Map.entry("apple", MatchReason.CASHTAG),
                        Map.entry("boeing", MatchReason.TICKER));
        // whole words only, any case: "iPhones" is not "iphone", "Apple Incorporated" is not "apple inc", "fomc" is
        assertThat(reasons(matcher.match(text("APPLE INCORPORATED ships iPhones after the fomc minutes"), null, Map.of())))
                .containsExactly(Map.entry("fed", MatchReason.ALIAS));
        assertThat(reasons(matcher.match(text("Apple Inc. and the iPhone: a rate hike ahead?"), null, Map.of())))
                .containsExactly(Map.entry("apple", MatchReason.KEYWORD), Map.entry("fed", MatchReason.KEYWORD));
        assertThat(matcher.match(text("Nothing about any of them"), null, Map.of())).isEmpty();
        assertThat(matcher.match(text(""), null, Map.of())).isEmpty();
    }

    @Test
    void disabledTopicsAndBlankWordsNeverMatchAndSimilarityComesLast() {
        TopicDefinition off = topic("off", List.of("OFF"), List.of("shutdown"), List.of());
        off.setEnabled(false);
        TopicDefinition close = topic("close", List.of(), List.of(" ", ""), List.of());
        close.setSimilarityThreshold(0.9);
        TopicDefinition named = topic("named", List.of(), List.of("merger"), List.of());
        named.setSimilarityThreshold(0.1);
        TopicMatcher matcher = TopicMatcher.of(of(off, close, named));
        float[] embedding = {1, 0, 0};
        Map<String, float[]> descriptions = Map.of("close", new float[] {1, 0.1f, 0}, "named", new float[] {1, 0, 0});

        List<TopicMatch> matches = matcher.match(text("A merger and a shutdown at $OFF", "OFF"), embedding, descriptions);

        assertThat(reasons(matches)).containsExactly(Map.entry("close", MatchReason.SIMILARITY), Map.entry("named", MatchReason.KEYWORD));
        assertThat(matches.get(0).getSimilarity()).isGreaterThan(0.99);
        assertThat(matches.get(1).getSimilarity()).isNull();
        // no embedding: no similarity
        assertThat(reasons(matcher.match(text("A merger"), null, descriptions))).containsExactly(Map.entry("named", MatchReason.KEYWORD));
    }

    @Test
    void tenThousandTopicsMatchAsTheFewTheyHoldDo() {
        Map<String, TopicDefinition> many = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            many.put("t" + i, topic("t" + i, List.of("TK" + i), List.of(), List.of("company " + i, "corp" + i, "co " + i + " holdings")));
        }
        many.put("boeing", topic("boeing", List.of("BA"), List.of(), List.of("Boeing")));
        TopicMatcher big = TopicMatcher.of(many);
        TopicMatcher small = TopicMatcher.of(of(many.get("t42"), many.get("t4200"), many.get("boeing")));
        RawText t = text("Company 42 and corp4200 sued Boeing; $BA down, company 4", "TK9999");

        assertThat(reasons(big.match(t, null, Map.of()))).containsExactly(Map.entry("boeing", MatchReason.CASHTAG), Map.entry("t4", MatchReason.ALIAS),
                Map.entry("t42", MatchReason.ALIAS), Map.entry("t4200", MatchReason.ALIAS), Map.entry("t9999", MatchReason.TICKER));
        assertThat(big.match(t, null, Map.of())).containsAll(small.match(t, null, Map.of()));
    }
}
