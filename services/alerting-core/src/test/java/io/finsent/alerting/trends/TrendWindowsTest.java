package io.finsent.alerting.trends;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.finsent.schema.DeadLetter;
import io.finsent.schema.Sentiment;
import io.finsent.schema.TopicTrendWindow;

/**
 * Windows close on the smallest watermark of the source partitions: a partition far ahead (a backlog read
 * unevenly) neither closes windows early nor turns a slow partition's texts into late records.
 */
class TrendWindowsTest {

    private static final long T0 = Instant.parse("2026-03-02T09:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;
    /** The wall clock of a catch-up: an hour after the texts' event time. */
    private static final long NOW = T0 + 60 * MINUTE;

    private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    private TrendWindows windows;
    private final AtomicInteger late = new AtomicInteger();

    @BeforeEach
    void start() {
        KeyValueStore<String, TrendTally> tallies = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TrendTopology.WINDOW_STORE),
                Serdes.String(), TrendTally.SERDE).withLoggingDisabled().build();
        KeyValueStore<Integer, Long> marks = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TrendTopology.WATERMARK_STORE),
                Serdes.Integer(), Serdes.Long()).withLoggingDisabled().build();
        tallies.init(context.getStateStoreContext(), tallies);
        marks.init(context.getStateStoreContext(), marks);
        context.addStateStore(tallies);
        context.addStateStore(marks);
        context.setCurrentSystemTimeMs(NOW);
        windows = new TrendWindows(new TrendSettings("live", Duration.ofMinutes(1), Duration.ofSeconds(30)).withSourcePartitions(2)
                .withIdleAfter(Duration.ofSeconds(30)), late::incrementAndGet);
        windows.init(context);
    }

    @Test
    void aPartitionFarAheadClosesNothingUntilTheSlowOneCatchesUp() {
        mention("acme", T0 + 10_000, 0);
        watermark(0, T0 + 40 * MINUTE); // partition 0's backlog is done
        mention("acme", T0 + 20_000, 1); // partition 1 is still at the first minute: on time
        watermark(1, T0 + 20_000);
        assertThat(emitted()).isEmpty();

        watermark(1, T0 + 2 * MINUTE + 30_000); // [T0, T0+1m) closes at T0+1m30s; [T0+1m, T0+2m) at T0+2m30s

        assertThat(emitted()).extracting(TopicTrendWindow::getCount).containsExactly(2L);
        assertThat(dead()).isEmpty();
    }

    @Test
    void closedWindowsAreEmittedOnceInWindowOrderAndLaterTextsAreDeadLetters() {
        mention("beta", T0 + MINUTE + 5_000, 0);
        mention("acme", T0 + 5_000, 0);
        mention("acme", T0 + MINUTE + 1_000, 1);
        watermark(0, T0 + 3 * MINUTE);
        watermark(1, T0 + 3 * MINUTE);
        watermark(1, T0 + 4 * MINUTE); // nothing new closes: partition 0 holds the watermark at 3 minutes

        List<TopicTrendWindow> closed = emitted();
        assertThat(closed).extracting(w -> w.getTopic() + "@" + (w.getWindowStart().toEpochMilli() - T0) / MINUTE)
                .containsExactly("acme@0", "acme@1", "beta@1");

        mention("acme", T0 + MINUTE + 2_000, 1);
        assertThat(dead()).singleElement().satisfies(letter -> {
            assertThat(letter.getStage()).isEqualTo(TrendTopology.STAGE_LATE);
            assertThat(letter.getReason()).contains("acme", "grace 30000 ms");
        });
        assertThat(late).as("late texts counted").hasValue(1);
        assertThat(emitted()).isEmpty();
    }

    @Test
    void aWatermarkFromAPartitionTheRunDoesNotReadChangesNothing() {
        mention("acme", T0, 0);
        watermark(0, T0 + 10 * MINUTE);
        watermark(5, T0 + 10 * MINUTE);
        assertThat(emitted()).isEmpty();
    }

    @Test
    void aQuietPartitionStopsHoldingWindowsOpenUntilItSendsAgain() {
        mention("acme", T0 + 5_000, 0);
        watermark(0, T0 + 3 * MINUTE);
        assertThat(emitted()).isEmpty(); // partition 1 has said nothing yet

        context.setCurrentSystemTimeMs(NOW + 10_000);
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.idle(1, 0), 0L));
        assertThat(emitted()).as("quiet for 10 s only").isEmpty();

        context.setCurrentSystemTimeMs(NOW + 31_000);
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.idle(1, 0), 0L));
        assertThat(emitted()).extracting(TopicTrendWindow::getCount).containsExactly(1L);

        mention("acme", T0 + MINUTE + 10_000, 1); // back, with a text for a window that has closed
        assertThat(dead()).singleElement().extracting(DeadLetter::getStage).isEqualTo(TrendTopology.STAGE_LATE);
        watermark(1, T0 + MINUTE + 10_000);
        watermark(0, T0 + 10 * MINUTE);
        assertThat(emitted()).isEmpty(); // the watermark never goes back, and partition 1 holds it again
    }

    @Test
    void whenAQuietPartitionComesBackTheOtherQuietOnesHoldWindowsForAFullIdlePeriodAgain() {
        windows = new TrendWindows(new TrendSettings("live", Duration.ofMinutes(1), Duration.ofSeconds(30)).withSourcePartitions(3)
                .withIdleAfter(Duration.ofSeconds(30)), late::incrementAndGet);
        windows.init(context);
        context.setCurrentSystemTimeMs(NOW + 100_000); // a scorer restarted after a long stop: all three partitions quiet
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.idle(0, 0), 0L));
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.idle(1, 0), 0L));
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.idle(2, 0), 0L));

        mention("acme", T0 + 5_000, 0); // partition 0's backlog comes first ...
        watermark(0, T0 + 30 * MINUTE);
        context.setCurrentSystemTimeMs(NOW + 110_000);
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.idle(2, 0), 0L)); // ... partition 2 still quiet, but not for 30 s since
        assertThat(emitted()).isEmpty();

        mention("acme", T0 + 20_000, 1); // partition 1's backlog: on time, not late
        watermark(1, T0 + 30 * MINUTE);
        assertThat(dead()).isEmpty();

        context.setCurrentSystemTimeMs(NOW + 141_000);
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.idle(2, 0), 0L));
        assertThat(emitted()).filteredOn(w -> w.getWindowStart().toEpochMilli() == T0).extracting(TopicTrendWindow::getCount)
                .containsExactly(2L);
    }

    @Test
    void aLivePartitionBackFromAQuietSpellFindsOpenTheWindowsOfItsRecentTexts() {
        // Given a live monitor (wall clock = event time) with a five-minute idle period: partition 0 busy, partition 1
        // quiet since minute 4 (a feed polled every few minutes)
        windows = new TrendWindows(new TrendSettings("live", Duration.ofMinutes(1), Duration.ofSeconds(30)).withSourcePartitions(2)
                .withIdleAfter(Duration.ofMinutes(5)), late::incrementAndGet);
        context.setCurrentSystemTimeMs(T0 + 4 * MINUTE);
        windows.init(context);
        mention("acme", T0 + 3 * MINUTE + 50_000, 1);
        watermark(1, T0 + 3 * MINUTE + 50_000);
        for (int minute = 4; minute <= 10; minute++) {
            context.setCurrentSystemTimeMs(T0 + minute * MINUTE);
            mention("acme", T0 + minute * MINUTE - 10_000, 0);
            watermark(0, T0 + minute * MINUTE);
        }
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.idle(1, T0 + 4 * MINUTE), 0L));
        // Then windows close up to the wall clock less the idle period, not up to partition 0's minute 10
        assertThat(emitted()).extracting(w -> (w.getWindowStart().toEpochMilli() - T0) / MINUTE).containsExactly(3L);

        // When partition 1 comes back with a feed's texts three minutes old, and one older than the idle period
        mention("acme", T0 + 7 * MINUTE, 1);
        mention("acme", T0 + 3 * MINUTE + 55_000, 1);

        // Then the recent one is on time; only the one whose window had closed is late, and counted
        assertThat(dead()).singleElement().satisfies(letter -> assertThat(letter.getReason()).contains("T09:03:55Z"));
        assertThat(late).hasValue(1);
        watermark(1, T0 + 10 * MINUTE);
        context.setCurrentSystemTimeMs(T0 + 11 * MINUTE);
        watermark(0, T0 + 11 * MINUTE);
        watermark(1, T0 + 11 * MINUTE);
        assertThat(emitted()).filteredOn(w -> w.getWindowStart().toEpochMilli() == T0 + 7 * MINUTE).singleElement()
                .extracting(TopicTrendWindow::getCount).as("partition 0's text of minute 7 and partition 1's").isEqualTo(2L);
    }

    @Test
    void whenEveryPartitionIsQuietNoWindowCloses() {
        mention("acme", T0 + 5_000, 0);
        watermark(0, T0 + 3 * MINUTE);
        watermark(1, T0 + 3 * MINUTE);
        emitted();
        mention("acme", T0 + 3 * MINUTE + 5_000, 0);
        context.setCurrentSystemTimeMs(NOW + 10 * MINUTE);
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.idle(0, 0), 0L));
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.idle(1, 0), 0L));
        assertThat(emitted()).as("a bounded backlog waits for its end of input or its next text").isEmpty();
    }

    private void mention(String topic, long time, int partition) {
        windows.process(new Record<>(topic, new TopicMention(Sentiment.NEGATIVE, -500_000_000L, 800_000_000L, "item-" + time, "text.scored",
                partition, 0, new byte[] {1}), time));
    }

    private void watermark(int partition, long time) {
        windows.process(new Record<>(EndOfInput.KEY, TopicMention.watermark(partition), time));
    }

    private List<TopicTrendWindow> emitted() {
        List<TopicTrendWindow> out = context.forwarded().stream().map(f -> f.record().value()).filter(TopicTrendWindow.class::isInstance)
                .map(TopicTrendWindow.class::cast).toList();
        context.resetForwards();
        return out;
    }

    private List<DeadLetter> dead() {
        return context.forwarded().stream().map(f -> f.record().value()).filter(DeadLetter.class::isInstance).map(DeadLetter.class::cast)
                .toList();
    }
}
