package io.finsent.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.finsent.common.KafkaConnection;
import io.finsent.common.Topics;
import io.finsent.ingest.DeadLetters;
import io.finsent.ingest.ItemIds;
import io.finsent.local.LocalStack;
import io.finsent.local.testing.LocalStackExtension;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.ScoredText;

/**
 * A replay of archive files ({@code ./monitor replay --file}): the valid rows of a JSONL and a CSV file published in
 * the range are scored once each (a repeated item once, rows outside the range not at all); every bad row (not JSON,
 * not an object, no publication time, a time that is not ISO-8601) is a dead letter of the run with its line and
 * reason, and the replay goes on.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ArchiveReplayIntegrationTest {

    private static final Instant FROM = Instant.parse("2014-04-04T10:00:00Z");
    private static final Instant TO = FROM.plus(Duration.ofMinutes(10));

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void validRowsInTheRangeAreScoredOnceAndBadRowsAreDeadLettersWithTheirReason(LocalStack stack) throws Exception {
        String bootstrap = stack.bootstrapServers();
        Path jsonl = Files.writeString(dir.resolve("news.jsonl"), String.join("\n",
                item("n1", "10:01:00", "Hooli beats revenue forecasts ."),
                item("n2", "10:02:30", "Umbrella faces a regulatory probe ."),
                item("n1", "10:01:00", "Hooli beats revenue forecasts ."),                  // line 3: the same item again
                item("n3", "09:59:59", "Vandelay announces a share buyback ."),             // line 4: before the range
                "{\"id\": \"n4\", \"source\": \"wire\", ",                                   // line 5: not JSON
                "[1, 2]",                                                                    // line 6: not an object
                "{\"id\": \"n5\", \"source\": \"wire\", \"headline\": \"Hooli cuts jobs .\"}", // line 7: no publication time
                item("n6", "10:09:59", "Umbrella reports flat quarterly sales .")) + "\n");
        Path csv = Files.writeString(dir.resolve("news.csv"), String.join("\n",
                "id,published_at,source,tickers,headline,url",
                "c1,2014-04-04T10:03:00Z,wire,HOOLI,Hooli delays its product launch .,",
                "c2,yesterday,wire,HOOLI,Hooli wins a contract .,",                          // line 3: not ISO-8601
                "c3,2014-04-04T10:10:00Z,wire,HOOLI,Hooli at the end of the range .,",       // the end is exclusive
                "c4,2014-04-04T10:04:00Z,wire,UMBRELLA,Umbrella misses estimates .,") + "\n");
        String run = "it-file-" + id;

        ReplayReport report = Replay.run(ReplayOptions.of(run, FROM, TO, bootstrap, TestModel.directory(), dir.resolve("state"))
                .withFiles(List.of(jsonl, csv)));

        List<String> expected = List.of(ItemIds.ofNativeId("wire", "n1"), ItemIds.ofNativeId("wire", "n2"), ItemIds.ofNativeId("wire", "n6"),
                ItemIds.ofNativeId("wire", "c1"), ItemIds.ofNativeId("wire", "c4"));
        assertThat(report.staged()).isEqualTo(expected.size());
        assertThat(report.inputRecords()).isEqualTo(expected.size());
        assertThat(report.source()).isEqualTo(jsonl + "," + csv);
        Map<String, Integer> times = ScoredRecords.timesById(bootstrap, RunTopics.scored(run), FROM, TO);
        assertThat(times.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(times.values()).containsOnly(1);
        Map<String, ScoredText> scored = ScoredRecords.read(bootstrap, RunTopics.scored(run), FROM, TO);
        assertThat(scored.get(ItemIds.ofNativeId("wire", "c4")).getTickers()).containsExactly("UMBRELLA");

        List<DeadLetter> letters = deadLetters(bootstrap, RunTopics.deadLetters(run));
        assertThat(report.deadLetters()).isEqualTo(letters.size());
        assertThat(letters).allSatisfy(l -> assertThat(l.getStage()).isEqualTo(DeadLetters.STAGE_ARCHIVE));
        assertThat(letters).extracting(l -> l.getSource() + " " + l.getReason().substring(0, l.getReason().indexOf(':')))
                .containsExactlyInAnyOrder(jsonl + " line 5", jsonl + " line 6", jsonl + " line 7", csv + " line 3");
        assertThat(letters).filteredOn(l -> l.getReason().startsWith("line 7")).singleElement()
                .satisfies(l -> assertThat(l.getReason()).contains("published_at"));
        assertThat(letters).filteredOn(l -> l.getSource().equals(csv.toString())).singleElement()
                .satisfies(l -> assertThat(l.getReason()).contains("published_at"));
    }

    private static String item(String nativeId, String time, String headline) {
        String ticker = headline.substring(0, headline.indexOf(' ')).toUpperCase();
        return "{\"id\": \"" + nativeId + "\", \"source\": \"wire\", \"published_at\": \"2014-04-04T" + time + "Z\", \"headline\": \""
                + headline + "\", \"tickers\": [\"" + ticker + "\"]}";
    }

    private static List<DeadLetter> deadLetters(String bootstrap, String topic) {
        List<DeadLetter> letters = new ArrayList<>();
        Kafka.readAll(KafkaConnection.to(bootstrap), topic, r -> letters.add(Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(topic, r.value())));
        return letters;
    }
}
