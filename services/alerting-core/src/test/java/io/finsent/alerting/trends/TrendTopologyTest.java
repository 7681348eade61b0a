package io.finsent.alerting.trends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.data.Offset.offset;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.finsent.common.Topics;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.MatchReason;
import io.finsent.schema.ScoredText;
import io.finsent.schema.Sentiment;
import io.finsent.schema.SourceKind;
import io.finsent.schema.TopicMatch;
import io.finsent.schema.TopicTrendWindow;

/**
 * The trend topology in TopologyTestDriver: each scored text counts once in each of its topics, in tumbling
 * event-time windows emitted once, after the grace; late and undecodable records become dead letters; a window's
 * record is bit-identical whatever order its texts arrived in.
 */
class TrendTopologyTest {

    private static final Instant T0 = Instant.parse("2025-03-03T09:00:00Z");
    private static final long MINUTE = 60_000;

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> scored;
    private TestOutputTopic<String, TopicTrendWindow> trends;
    private TestOutputTopic<String, DeadLetter> dead;

    private void start(TrendSettings settings) {
        // The wall clock is far from event time: nothing may depend on it.
        start(settings, Instant.parse("2031-01-01T00:00:00Z"));
    }

    private void start(TrendSettings settings, Instant wallClock) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "trends-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        // Check for closed windows on every record, not once a wall-clock second.
        props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L);
        driver = new TopologyTestDriver(TrendTopology.build(settings.withSourcePartitions(1)), props, wallClock);
        scored = driver.createInputTopic(Topics.SCORED_TEXT.name(), new StringSerializer(), new ByteArraySerializer());
        trends = driver.createOutputTopic(Topics.TOPIC_TRENDS.name(), new StringDeserializer(), Topics.TOPIC_TRENDS.valueSerde().deserializer());
        dead = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), new StringDeserializer(), Topics.DEAD_LETTERS.valueSerde().deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
            driver = null;
        }
    }

    static ScoredText text(String id, Instant publishedAt, Sentiment label, double score, double pNegative, String... topics) {
        List<TopicMatch> matches = Arrays.stream(topics).map(t -> TopicMatch.newBuilder().setTopic(t).setReason(MatchReason.TICKER).build()).toList();
        return ScoredText.newBuilder().setId(id).setSourceKind(SourceKind.DEMO).setSource("test").setPublishedAt(publishedAt)
                .setTopics(matches).setLabel(label).setPNegative(pNegative).setPNeutral(0).setPPositive(0).setScore(score)
                .setWorstWindowPNegative(pNegative).setModelName("m").setModelVersion("1").setWindows(1).setTokens(10).build();
    }

    static byte[] bytes(ScoredText text) {
        return Topics.SCORED_TEXT.valueSerde().serializer().serialize(Topics.SCORED_TEXT.name(), text);
    }

    private void send(ScoredText text) {
        scored.pipeInput(text.getId(), bytes(text), text.getPublishedAt());
    }

    /** A text on an unrelated topic that moves stream time to {@code at}. */
    private void tick(Instant at) {
        send(text("tick-" + at.toEpochMilli(), at, Sentiment.NEUTRAL, 0, 0.1, "zz-clock"));
    }

    private static Instant at(long millisAfterT0) {
        return T0.plusMillis(millisAfterT0);
    }

    @Test
    void aClosedWindowCountsEachTextOnceInEachOfItsTopics() {
        start(TrendSettings.defaults());
        send(text("n1", at(1_000), Sentiment.NEGATIVE, -0.8, 0.9, "acme"));
        send(text("u1", at(20_000), Sentiment.NEUTRAL, 0.1, 0.2, "acme", "globex", "acme"));
        send(text("p1", at(59_999), Sentiment.POSITIVE, 0.6, 0.1, "acme"));
        send(text("none", at(30_000), Sentiment.NEGATIVE, -1, 1));
        send(text("next", at(60_000), Sentiment.POSITIVE, 1, 0, "acme"));

        tick(at(MINUTE + 29_999));
        assertThat(trends.isEmpty()).as("stream time has not passed window end + grace").isTrue();
        tick(at(MINUTE + 30_000));

        List<TestRecord<String, TopicTrendWindow>> out = trends.readRecordsToList();
        assertThat(out).extracting(TestRecord::key).containsExactly(
                "live|acme|" + T0.toEpochMilli() + "|60000", "live|globex|" + T0.toEpochMilli() + "|60000");
        TestRecord<String, TopicTrendWindow> acme = out.get(0);
        assertThat(acme.timestamp()).as("event time: the window's last millisecond").isEqualTo(T0.toEpochMilli() + MINUTE - 1);
        TopicTrendWindow w = acme.value();
        assertThat(w.getRunId()).isEqualTo("live");
        assertThat(w.getTopic()).isEqualTo("acme");
        assertThat(w.getWindowStart()).isEqualTo(T0);
        assertThat(w.getWindowSizeMs()).isEqualTo(MINUTE);
        assertThat(List.of(w.getCount(), w.getNegative(), w.getNeutral(), w.getPositive())).containsExactly(3L, 1L, 1L, 1L);
        double mean = (-0.8 + 0.1 + 0.6) / 3;
        double variance = (Math.pow(-0.8 - mean, 2) + Math.pow(0.1 - mean, 2) + Math.pow(0.6 - mean, 2)) / 3;
        assertThat(w.getMeanScore()).isCloseTo(mean, offset(1e-12));
        assertThat(w.getScoreStddev()).isCloseTo(Math.sqrt(variance), offset(1e-9));
        assertThat(w.getMeanPNegative()).isCloseTo(1.2 / 3, offset(1e-12));
        assertThat(out.get(1).value().getCount()).isEqualTo(1);
        assertThat(dead.isEmpty()).isTrue();
    }

    @Test
    void aWindowIsEmittedOnceAndOnlyAfterItCloses() {
        start(new TrendSettings("replay-7", Duration.ofMinutes(1), Duration.ofSeconds(10)));
        send(text("a", at(5_000), Sentiment.NEGATIVE, -0.5, 0.7, "acme"));
        tick(at(MINUTE + 9_999));
        assertThat(trends.isEmpty()).isTrue();

        tick(at(MINUTE + 10_000));
        tick(at(3 * MINUTE));
        send(text("b", at(6_000), Sentiment.NEGATIVE, -0.5, 0.7, "acme"));
        tick(at(5 * MINUTE));

        List<TestRecord<String, TopicTrendWindow>> acme = trends.readRecordsToList().stream().filter(r -> r.value().getTopic().equals("acme")).toList();
        assertThat(acme).hasSize(1);
        assertThat(acme.get(0).key()).isEqualTo("replay-7|acme|" + T0.toEpochMilli() + "|60000");
        assertThat(acme.get(0).value().getCount()).as("the late text changes nothing already emitted").isEqualTo(1);
        assertThat(dead.readValuesToList()).extracting(DeadLetter::getStage).containsExactly(TrendTopology.STAGE_LATE);
    }

    @Test
    void textsDatedInTheFutureMakeNoOnTimeTextLate() {
        // Given a live monitor whose wall clock is T0 + 10 minutes
        Instant now = at(10 * MINUTE);
        start(TrendSettings.defaults(), now);
        // When a batch of 229 texts dated up to 21 minutes ahead comes first (a client's clock, or a hostile one) ...
        for (int i = 0; i < 229; i++) {
            send(text("future-" + i, now.plusMillis(i * 5_500L), Sentiment.POSITIVE, 0.5, 0.1, "zz-future"));
        }
        // ... then twelve real-time texts of AAPL, one every 5 seconds
        for (int i = 0; i < 12; i++) {
            driver.advanceWallClockTime(Duration.ofSeconds(5));
            send(text("aapl-" + i, now.plusSeconds(5 * (i + 1)), Sentiment.NEGATIVE, -0.7, 0.9, "aapl"));
        }

        // Then none is late: the future texts wait in their own windows and move no watermark past the wall clock
        assertThat(dead.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMinutes(25));
        tick(now.plusSeconds(25 * 60 + 60));
        List<TopicTrendWindow> closed = trends.readValuesToList();
        assertThat(closed).filteredOn(w -> w.getTopic().equals("aapl")).extracting(TopicTrendWindow::getCount).containsExactly(11L, 1L);
        List<TopicTrendWindow> future = closed.stream().filter(w -> w.getTopic().equals("zz-future")).toList();
        assertThat(future).hasSize(21);
        assertThat(future.stream().mapToLong(TopicTrendWindow::getCount).sum()).as("every future text counted once").isEqualTo(229);
        assertThat(dead.isEmpty()).isTrue();
    }

    @Test
    void outOfOrderTextsWithinTheGraceAreCounted() {
        start(TrendSettings.defaults());
        send(text("a", at(10_000), Sentiment.NEUTRAL, 0, 0.1, "acme"));
        tick(at(MINUTE + 25_000));
        send(text("late-but-in-grace", at(59_000), Sentiment.NEGATIVE, -0.9, 0.95, "acme"));
        tick(at(2 * MINUTE + 30_000));

        TopicTrendWindow acme = trends.readValuesToList().stream().filter(w -> w.getTopic().equals("acme")).findFirst().orElseThrow();
        assertThat(acme.getCount()).isEqualTo(2);
        assertThat(acme.getNegative()).isEqualTo(1);
        assertThat(dead.isEmpty()).isTrue();
    }

    @Test
    void textsLaterThanTheGraceBecomeDeadLettersWithTheirBytesAndReason() {
        start(TrendSettings.defaults());
        send(text("a", at(10_000), Sentiment.NEUTRAL, 0, 0.1, "acme"));
        tick(at(MINUTE + 30_000));
        ScoredText late = text("too-late", at(59_000), Sentiment.NEGATIVE, -0.9, 0.95, "acme");
        send(late);

        List<TestRecord<String, DeadLetter>> letters = dead.readRecordsToList();
        assertThat(letters).hasSize(1);
        TestRecord<String, DeadLetter> letter = letters.get(0);
        assertThat(letter.key()).isEqualTo("too-late");
        assertThat(letter.value().getStage()).isEqualTo("alerting.late");
        assertThat(letter.value().getReason()).contains("acme", at(59_000).toString(), T0 + ", " + at(MINUTE),
                at(MINUTE + 30_000).toString(), "grace 30000 ms");
        assertThat(letter.value().getOccurredAt()).isEqualTo(at(59_000));
        assertThat(letter.value().getOriginalTopic()).isEqualTo("text.scored");
        assertThat(bytesOf(letter.value().getOriginalValue())).isEqualTo(bytes(late));
        assertThat(bytesOf(letter.value().getOriginalKey())).isEqualTo("too-late".getBytes(StandardCharsets.UTF_8));

        tick(at(3 * MINUTE));
        TopicTrendWindow acme = trends.readValuesToList().stream().filter(w -> w.getTopic().equals("acme")).findFirst().orElseThrow();
        assertThat(acme.getCount()).isEqualTo(1);
    }

    @Test
    void undecodableAndInvalidRecordsBecomeDeadLettersAtTheirRecordTime() {
        start(TrendSettings.defaults());
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
        scored.pipeInput("g1", garbage, at(5_000));
        ScoredText outOfRange = text("bad-score", at(6_000), Sentiment.NEGATIVE, -3, 0.9, "acme");
        scored.pipeInput("bad-score", bytes(outOfRange), at(6_000));
        send(text("ok", at(7_000), Sentiment.NEGATIVE, -0.5, 0.9, "acme"));

        List<TestRecord<String, DeadLetter>> letters = dead.readRecordsToList();
        assertThat(letters).extracting(TestRecord::key).containsExactly("g1", "bad-score");
        DeadLetter first = letters.get(0).value();
        assertThat(first.getStage()).isEqualTo("alerting.deserialize");
        assertThat(first.getReason()).contains("not an Avro single-object record");
        assertThat(bytesOf(first.getOriginalValue())).isEqualTo(garbage);
        assertThat(first.getOccurredAt()).isEqualTo(at(5_000));
        assertThat(first.getOriginalTopic()).isEqualTo("text.scored");
        DeadLetter second = letters.get(1).value();
        assertThat(second.getStage()).isEqualTo("alerting.validate");
        assertThat(second.getReason()).contains("score -3.0 is outside [-1, 1]");

        tick(at(2 * MINUTE));
        assertThat(trends.readValuesToList()).filteredOn(w -> w.getTopic().equals("acme")).singleElement()
                .satisfies(w -> assertThat(w.getCount()).isEqualTo(1));
    }

    @Test
    void theSameTextsInAnyOrderGiveBitIdenticalWindows() {
        Random random = new Random(20250303);
        List<ScoredText> texts = new ArrayList<>();
        String[] topics = {"acme", "globex", "initech"};
        for (int i = 0; i < 120; i++) {
            double score = random.nextDouble() * 2 - 1;
            Sentiment label = score < -0.3 ? Sentiment.NEGATIVE : score > 0.3 ? Sentiment.POSITIVE : Sentiment.NEUTRAL;
            // Within 80 s of each other: with a 30 s grace no order makes any of them late.
            texts.add(text("t" + i, at(random.nextInt(80_000)), label, score, random.nextDouble(), topics[i % 3], topics[(i + i / 3) % 3]));
        }
        List<List<String>> outputs = new ArrayList<>();
        Set<Double> naiveSums = new HashSet<>();
        for (int permutation = 0; permutation < 6; permutation++) {
            List<ScoredText> order = new ArrayList<>(texts);
            Collections.shuffle(order, new Random(permutation));
            naiveSums.add(order.stream().mapToDouble(ScoredText::getScore).reduce(0, Double::sum));
            start(TrendSettings.defaults());
            order.forEach(this::send);
            tick(at(10 * MINUTE));
            outputs.add(rawTrends());
            assertThat(dead.isEmpty()).isTrue();
            close();
        }
        assertThat(naiveSums).as("the data is such that summing doubles in arrival order would differ").hasSizeGreaterThan(1);
        assertThat(outputs.get(0)).hasSize(6);
        assertThat(outputs).allSatisfy(output -> assertThat(output).isEqualTo(outputs.get(0)));
    }

    /** Every trend record as key, timestamp and value bytes, in output order. */
    private List<String> rawTrends() {
        TestOutputTopic<String, byte[]> raw = driver.createOutputTopic(Topics.TOPIC_TRENDS.name(), new StringDeserializer(), new ByteArrayDeserializer());
        return raw.readRecordsToList().stream().filter(r -> !r.key().contains("|zz-clock|"))
                .map(r -> r.key() + "@" + r.timestamp() + "=" + HexFormat.of().formatHex(r.value())).toList();
    }

    @Test
    void everyWindowOfATopicGoesToOnePartition() {
        TrendPartitioner partitioner = new TrendPartitioner();
        Set<Integer> acme = new HashSet<>();
        Set<Integer> all = new HashSet<>();
        for (int minute = 0; minute < 500; minute++) {
            long start = T0.toEpochMilli() + minute * MINUTE;
            TopicTrendWindow w = TopicTrendWindow.newBuilder().setRunId("live").setTopic("acme").setWindowStart(Instant.ofEpochMilli(start))
                    .setWindowSizeMs(MINUTE).setCount(1).setNegative(0).setNeutral(1).setPositive(0).setMeanScore(0).setScoreStddev(0)
                    .setMeanPNegative(0).build();
            String key = new TrendKey("live", "acme", start, MINUTE).toString();
            acme.addAll(partitioner.partitions(Topics.TOPIC_TRENDS.name(), key, w, 6).orElseThrow());
            acme.addAll(partitioner.partitions(Topics.TOPIC_TRENDS.name(), key, null, 6).orElseThrow());
            all.add(TrendPartitioner.partitionOf("live", "topic-" + minute, 6));
        }
        assertThat(acme).containsExactly(TrendPartitioner.partitionOf("live", "acme", 6));
        assertThat(all).as("topics spread over the partitions").hasSize(6);
    }

    @Test
    void theEndOfInputMarkerClosesEveryWindowAndIsNeverCounted() {
        TrendSettings settings = new TrendSettings("replay-9", Duration.ofMinutes(1), Duration.ofMinutes(10))
                .withTopics("replay.replay-9.scored", "replay.replay-9.dlq");
        start(settings);
        TestInputTopic<String, byte[]> runScored = driver.createInputTopic("replay.replay-9.scored", new StringSerializer(), new ByteArraySerializer());
        TestOutputTopic<String, DeadLetter> runDead = driver.createOutputTopic("replay.replay-9.dlq", new StringDeserializer(),
                Topics.DEAD_LETTERS.valueSerde().deserializer());
        // Given texts in three windows of two topics, the last one at T0+2m30s, and a grace of 10 minutes
        for (ScoredText t : List.of(text("a", at(5_000), Sentiment.NEGATIVE, -0.5, 0.7, "acme"),
                text("b", at(MINUTE + 1_000), Sentiment.POSITIVE, 0.5, 0.1, "acme", "globex"),
                text("c", at(2 * MINUTE + 30_000), Sentiment.NEUTRAL, 0, 0.2, "globex"))) {
            runScored.pipeInput(t.getId(), bytes(t), t.getPublishedAt());
        }
        assertThat(trends.isEmpty()).as("no window closes within the grace").isTrue();
        runScored.pipeInput("garbage", new byte[] {9}, at(MINUTE));

        // When the end-of-input marker arrives at the end of the range plus a window plus the grace
        Instant end = at(3 * MINUTE);
        runScored.pipeInput(EndOfInput.KEY, null, EndOfInput.timestamp(end, settings));
        runScored.pipeInput(EndOfInput.KEY, null, EndOfInput.timestamp(end, settings).plusSeconds(3_600));

        // Then every window is emitted once, counting only the texts; nothing for the marker; nothing from the live topics
        List<TopicTrendWindow> windows = trends.readValuesToList();
        assertThat(windows).extracting(w -> w.getTopic() + "@" + (w.getWindowStart().toEpochMilli() - T0.toEpochMilli()) + "=" + w.getCount())
                .containsExactlyInAnyOrder("acme@0=1", "acme@60000=1", "globex@60000=1", "globex@120000=1");
        assertThat(windows).allSatisfy(w -> assertThat(w.getRunId()).isEqualTo("replay-9"));
        assertThat(runDead.readValuesToList()).extracting(DeadLetter::getStage).containsExactly(TrendTopology.STAGE_DESERIALIZE);
        assertThat(dead.isEmpty()).as("dead letters go to the run's own topic").isTrue();
    }

    @Test
    void theRepartitionerKeepsKafkasDefaultForTopicsAndSendsMarkersEverywhere() {
        var partitioner = EndOfInput.<TopicMention>partitioner();
        // Empty means the producer's own murmur2 partitioning of the key, exactly what the topology did before markers existed.
        assertThat(partitioner.partitions("x-repartition", "acme", null, 6)).isEmpty();
        assertThat(partitioner.partitions("x-repartition", "end-of-input", null, 6)).isEmpty();
        assertThat(partitioner.partitions("x-repartition", EndOfInput.KEY, TopicMention.watermark(0), 6)).contains(Set.of(0, 1, 2, 3, 4, 5));
        assertThat(EndOfInput.timestamp(T0, TrendSettings.defaults())).isEqualTo(T0.plusSeconds(90));
    }

    @Test
    void trendKeysRoundTrip() {
        TrendKey key = new TrendKey("live", "acme", 1_741_000_000_000L, MINUTE);
        assertThat(key.toString()).isEqualTo("live|acme|1741000000000|60000");
        assertThat(TrendKey.parse(key.toString())).isEqualTo(key);
        assertThatIllegalArgumentException().isThrownBy(() -> TrendKey.parse("live|acme|x|60000"));
        assertThatIllegalArgumentException().isThrownBy(() -> TrendKey.parse("live|acme"));
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
