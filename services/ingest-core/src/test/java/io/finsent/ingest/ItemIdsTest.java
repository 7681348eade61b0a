package io.finsent.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class ItemIdsTest {

    private static final Instant T = Instant.parse("2015-03-22T17:56:04Z");

    @Test
    void aNativeIdGivesTheSameIdEveryTimeAndDependsOnTheSource() {
        assertThat(ItemIds.ofNativeId("FoolHeadlines", "tw-1")).isEqualTo(ItemIds.ofNativeId("FoolHeadlines", "tw-1"))
                .startsWith("n-").hasSize(34);
        assertThat(ItemIds.ofNativeId("FoolHeadlines", "tw-1")).isNotEqualTo(ItemIds.ofNativeId("Other", "tw-1"));
    }

    @Test
    void partsAreSeparatedSoShiftedBoundariesDoNotCollide() {
        assertThat(ItemIds.ofNativeId("ab", "c")).isNotEqualTo(ItemIds.ofNativeId("a", "bc"));
    }

    @Test
    void withoutANativeIdTheContentDecides() {
        String id = ItemIds.ofContent("feed", T, "https://x.test/1", "Title", "Body");

        assertThat(id).startsWith("c-").isEqualTo(ItemIds.ofContent("feed", T, "https://x.test/1", "Title", "Body"));
        assertThat(id).isNotEqualTo(ItemIds.ofContent("feed", T, "https://x.test/1", "Title", "Body!"));
        assertThat(id).isNotEqualTo(ItemIds.ofContent("feed", T.plusSeconds(1), "https://x.test/1", "Title", "Body"));
        assertThat(ItemIds.ofContent("feed", T, null, null, "Body")).isEqualTo(ItemIds.ofContent("feed", T, "", "", "Body"));
    }
}
