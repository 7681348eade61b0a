package io.finsent.alerting.trends;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class ScoredTopicsTest {

    @Test
    void eachRunHasItsTopicAndEachTopicNamesItsRun() {
        assertThat(ScoredTopics.of("live")).isEqualTo("text.scored");
        assertThat(ScoredTopics.of("r-1.b")).isEqualTo("replay.r-1.b.scored");
        assertThat(ScoredTopics.runOf("text.scored")).contains("live");
        assertThat(ScoredTopics.runOf(ScoredTopics.of("r-1.b"))).contains("r-1.b");
    }

    @Test
    void otherTopicsAreNoRunsScoredTexts() {
        for (String topic : new String[] {"text.raw", "text.scoredx", "replay.r.raw", "replay.r.dlq", "replay..scored", "xtext.scored",
                "replay.r.scored.x"}) {
            assertThat(ScoredTopics.runOf(topic)).as(topic).isEqualTo(Optional.empty());
            assertThat(ScoredTopics.ALL.matcher(topic).matches()).as(topic).isFalse();
        }
    }
}
