package io.finsent.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.finsent.common.Topics;
import io.finsent.encoder.EncodedBatch;
import io.finsent.encoder.EncoderOptions;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.MatchReason;
import io.finsent.schema.RawText;
import io.finsent.schema.ScoredText;
import io.finsent.schema.Sentiment;
import io.finsent.schema.SourceKind;
import io.finsent.schema.TopicDefinition;
import io.finsent.schema.TopicMatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The scoring topology with the shipped model in TopologyTestDriver: texts are batched, scored, tagged with
 * topics and timestamped with their event time; every bad record becomes a dead letter with its reason and
 * original bytes, and the topology keeps going.
 */
class ScorerTopologyTest {

    private static final Instant T0 = Instant.parse("2015-03-02T14:30:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> raw;
    private TestInputTopic<String, byte[]> definitions;
    private TestOutputTopic<String, ScoredText> scored;
    private TestOutputTopic<String, DeadLetter> dead;

    private void start(ScorerSettings settings, TextScorer scorer) {
        start(settings, scorer, Runnable::run);
    }

    /** {@code encoderExecutor} runs the model calls; the other tests run them on the stream thread. */
    private void start(ScorerSettings settings, TextScorer scorer, Executor encoderExecutor) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scorer-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(ScorerTopology.build(settings, ScorerRoute.live(), scorer, new ScorerMetrics(new SimpleMeterRegistry()),
                encoderExecutor), props, T0);
        raw = driver.createInputTopic(Topics.RAW_TEXT.name(), new StringSerializer(), new ByteArraySerializer());
        definitions = driver.createInputTopic(Topics.TOPIC_CONFIG.name(), new StringSerializer(), new ByteArraySerializer());
        scored = driver.createOutputTopic(Topics.SCORED_TEXT.name(), Topics.SCORED_TEXT.keySerde().deserializer(),
                Topics.SCORED_TEXT.valueSerde().deserializer());
        dead = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), Topics.DEAD_LETTERS.keySerde().deserializer(),
                Topics.DEAD_LETTERS.valueSerde().deserializer());
    }

    private void start(ScorerSettings settings) {
        start(settings, new EncoderTextScorer(ShippedModel.encoder()));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    static RawText text(String id, String body, String... tickers) {
        return RawText.newBuilder().setId(id).setSourceKind(SourceKind.DEMO).setSource("test")
                .setPublishedAt(T0.plusSeconds(id.hashCode() & 0xffff)).setIngestedAt(T0)
                .setBody(body).setTickers(List.of(tickers)).build();
    }

    static byte[] bytes(RawText text) {
        return Topics.RAW_TEXT.valueSerde().serializer().serialize(Topics.RAW_TEXT.name(), text);
    }

    private void send(RawText text) {
        raw.pipeInput(text.getId(), bytes(text), T0);
    }

    private void define(String id, List<String> tickers, List<String> keywords) {
        TopicDefinition topic = TopicDefinition.newBuilder().setId(id).setName(id).setTickers(tickers).setKeywords(keywords)
                .setUpdatedAt(T0).build();
        definitions.pipeInput(id, Topics.TOPIC_CONFIG.valueSerde().serializer().serialize(Topics.TOPIC_CONFIG.name(), topic));
    }

    private static ScorerSettings settings(int maxBatch) {
        return new ScorerSettings(maxBatch, 1_000_000, Duration.ofMillis(500), 20_000);
    }

    @Test
    void textsWaitForTheWallClockThenComeOutScoredWithTheirEventTime() {
        start(settings(64));
        send(text("n1", "Operating profit fell sharply and the company issued a profit warning .", "ACME"));
        send(text("p1", "Net sales rose 25 % and operating profit more than doubled .", "ACME"));
        send(text("u1", "The annual general meeting will be held in Helsinki on 15 March ."));

        assertThat(scored.isEmpty()).as("nothing before the batch is full or has waited").isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(600));

        Map<String, TestRecord<String, ScoredText>> out = new java.util.HashMap<>();
        scored.readRecordsToList().forEach(r -> out.put(r.key(), r));
        assertThat(out).containsOnlyKeys("n1", "p1", "u1");
        assertThat(out.get("n1").value().getLabel()).isEqualTo(Sentiment.NEGATIVE);
        assertThat(out.get("p1").value().getLabel()).isEqualTo(Sentiment.POSITIVE);
        assertThat(out.get("u1").value().getLabel()).isEqualTo(Sentiment.NEUTRAL);
        for (var record : out.values()) {
            ScoredText s = record.value();
            assertThat(record.timestamp()).isEqualTo(s.getPublishedAt().toEpochMilli());
            assertThat(s.getPNegative() + s.getPNeutral() + s.getPPositive()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(s.getScore()).isEqualTo(s.getPPositive() - s.getPNegative(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(s.getModelName()).isEqualTo(ShippedModel.encoder().config().name());
            assertThat(s.getWindows()).isEqualTo(1);
            assertThat(s.getTokens()).isPositive();
        }
        assertThat(dead.isEmpty()).isTrue();
    }

    @Test
    void aReplayRouteReadsAndWritesItsOwnTopicsAndSkipsRecordsOutsideItsRange() {
        ScorerRoute route = new ScorerRoute("replay.r1.raw", "replay.r1.scored", "replay.r1.dlq", T0.plusSeconds(10), T0.plusSeconds(20));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scorer-replay-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(ScorerTopology.build(settings(2), route, new EncoderTextScorer(ShippedModel.encoder()),
                new ScorerMetrics(new SimpleMeterRegistry()), Runnable::run), props, T0);
        TestInputTopic<String, byte[]> replayRaw = driver.createInputTopic("replay.r1.raw", new StringSerializer(), new ByteArraySerializer());
        TestOutputTopic<String, ScoredText> replayScored = driver.createOutputTopic("replay.r1.scored", Topics.SCORED_TEXT.keySerde().deserializer(),
                Topics.SCORED_TEXT.valueSerde().deserializer());
        TestOutputTopic<String, DeadLetter> replayDead = driver.createOutputTopic("replay.r1.dlq", Topics.DEAD_LETTERS.keySerde().deserializer(),
                Topics.DEAD_LETTERS.valueSerde().deserializer());

        // Given texts before, at the start of, inside, at the end of and after [T0+10s, T0+20s), and a bad one inside
        for (int second : new int[] {9, 10, 15, 20, 30}) {
            RawText text = text("t" + second, "Sales rose " + second + " % .");
            replayRaw.pipeInput(text.getId(), bytes(text), T0.plusSeconds(second));
        }
        replayRaw.pipeInput("bad", new byte[] {1, 2, 3}, T0.plusSeconds(12));
        replayRaw.pipeInput("late-bad", new byte[] {1, 2, 3}, T0.plusSeconds(25));
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        // Then only the texts inside the range are scored, to the run's topic; only the bad one inside is a dead letter
        assertThat(replayScored.readKeyValuesToMap()).containsOnlyKeys("t10", "t15");
        assertThat(replayDead.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("bad");
        assertThat(route.includes(T0.plusSeconds(20).toEpochMilli() - 1)).isTrue();
        assertThat(ScorerRoute.live().includes(Long.MIN_VALUE)).isTrue();
    }

    @Test
    void aFullBatchIsScoredWithoutWaiting() {
        start(settings(3));
        send(text("a", "Sales rose ."));
        send(text("b", "Sales fell ."));
        assertThat(scored.isEmpty()).isTrue();

        send(text("c", "Sales were flat ."));

        assertThat(scored.readKeyValuesToMap()).containsOnlyKeys("a", "b", "c");
    }

    @Test
    void scoresDoNotDependOnBatchBoundaries() {
        List<RawText> texts = new ArrayList<>();
        String[] bodies = {"Profit fell .", "Orders more than doubled in the quarter , the company said .", "Shares of $ACME slumped 12 % after the CEO resigned unexpectedly .",
                "The board proposes a dividend of EUR 0.50 per share .", "Layoffs", "Revenue rose to EUR 1.2 bn from EUR 1.1 bn a year earlier , beating estimates ."};
        for (int i = 0; i < 24; i++) {
            texts.add(text("t" + i, bodies[i % bodies.length] + " ".repeat(i % 3) + (i >= 6 ? " Update " + i + "." : "")));
        }
        Map<String, ScoredText> one = scoreAll(texts, 1);
        close();
        Map<String, ScoredText> many = scoreAll(texts, 7);
        close();
        Map<String, ScoredText> all = scoreAll(texts, 64);

        assertThat(many).isEqualTo(one);
        assertThat(all).isEqualTo(one);
    }

    private Map<String, ScoredText> scoreAll(List<RawText> texts, int maxBatch) {
        start(settings(maxBatch));
        texts.forEach(this::send);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        return scored.readKeyValuesToMap();
    }

    @Test
    void topicsComeFromTickersCashtagsAndKeywordsAndNewTopicsTagTheNextTexts() {
        start(settings(1));
        define("acme", List.of("ACME"), List.of());
        send(text("before", "Globex warns on profit ."));
        define("globex", List.of("GBX"), List.of("globex"));
        send(text("source-ticker", "Quarterly results are due .", "ACME"));
        send(text("cashtag", "Shares of $acme rose 3 % ."));
        send(text("keyword", "Globex warns on profit again ."));
        send(text("none", "The weather in Espoo was fine ."));

        Map<String, ScoredText> out = scored.readKeyValuesToMap();
        assertThat(out.get("before").getTopics()).isEmpty();
        assertThat(out.get("source-ticker").getTopics()).extracting(TopicMatch::getTopic, TopicMatch::getReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("acme", MatchReason.TICKER));
        assertThat(out.get("cashtag").getTopics()).extracting(TopicMatch::getReason).containsExactly(MatchReason.CASHTAG);
        assertThat(out.get("keyword").getTopics()).extracting(TopicMatch::getTopic, TopicMatch::getReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("globex", MatchReason.KEYWORD));
        assertThat(out.get("none").getTopics()).isEmpty();
    }

    @Test
    void aTopicDescriptionTagsTextsWhoseEmbeddingIsCloseEnough() {
        String description = "The company announced large layoffs and plant closures.";
        String far = "Quarterly dividend payments will be made on 15 March.";
        var encoder = ShippedModel.encoder();
        double farCosine = TopicMatcher.cosine(encoder.encode(far).embedding(), encoder.encode(description).embedding());
        double threshold = 0.999;
        assertThat(farCosine).as("the unrelated text must lie below the threshold").isLessThan(threshold);
        start(settings(1));
        TopicDefinition topic = TopicDefinition.newBuilder().setId("restructuring").setName("Restructuring")
                .setDescription(description).setSimilarityThreshold(threshold).setUpdatedAt(T0).build();
        definitions.pipeInput("restructuring", Topics.TOPIC_CONFIG.valueSerde().serializer().serialize(Topics.TOPIC_CONFIG.name(), topic));

        send(text("same", description));
        send(text("far", far));

        Map<String, ScoredText> out = scored.readKeyValuesToMap();
        assertThat(out.get("same").getTopics()).singleElement().satisfies(match -> {
            assertThat(match.getTopic()).isEqualTo("restructuring");
            assertThat(match.getReason()).isEqualTo(MatchReason.SIMILARITY);
            assertThat(match.getSimilarity()).isGreaterThanOrEqualTo(threshold);
        });
        assertThat(out.get("far").getTopics()).isEmpty();
    }

    /** 30+ bad inputs: each is a dead letter with its stage, reason and original bytes; good texts still flow. */
    @Test
    void badInputsBecomeDeadLettersAndTheTopologyKeepsGoing() {
        start(settings(1));
        List<byte[]> badValues = new ArrayList<>();
        List<String> badKeys = new ArrayList<>();
        Random random = new Random(7);
        // garbage: random bytes, JSON, text, empty, a single byte, a marker without body
        for (int i = 0; i < 12; i++) {
            byte[] b = new byte[1 + random.nextInt(200)];
            random.nextBytes(b);
            badValues.add(b);
        }
        badValues.add("{\"id\":\"j1\",\"body\":\"Profit rose\",\"extra\":true}".getBytes(StandardCharsets.UTF_8));
        badValues.add("Profit rose".getBytes(StandardCharsets.UTF_8));
        badValues.add(new byte[0]);
        badValues.add(new byte[] {(byte) 0xC3});
        badValues.add(new byte[] {(byte) 0xC3, 0x01});
        // a record of another schema in the raw topic
        badValues.add(Topics.DEAD_LETTERS.valueSerde().serializer().serialize("x",
                DeadLetter.newBuilder().setStage("s").setReason("r").setOccurredAt(T0).build()));
        badValues.add(Topics.TOPIC_CONFIG.valueSerde().serializer().serialize("x",
                TopicDefinition.newBuilder().setId("t").setName("t").setUpdatedAt(T0).build()));
        // unknown fields: a raw text written by a newer, unknown schema with an extra field
        badValues.add(withUnknownField(text("u1", "Profit rose .")));
        // truncated and bit-flipped Avro
        byte[] good = bytes(text("x1", "Profit rose ."));
        for (int cut = 11; cut < good.length; cut += Math.max(1, good.length / 6)) {
            badValues.add(Arrays.copyOf(good, cut));
        }
        byte[] flipped = good.clone();
        flipped[12] = (byte) 0xFF;
        badValues.add(flipped);
        for (byte[] value : badValues) {
            badKeys.add("bad-" + badKeys.size());
        }
        // valid Avro, invalid content
        List<RawText> invalid = List.of(text("empty", ""), text("blank", " \t\n "), text("huge", "x".repeat(20_001)),
                text("mismatch", "Profit rose ."));
        for (byte[] value : badValues) {
            raw.pipeInput(badKeys.get(badValues.indexOf(value)), value, T0);
        }
        raw.pipeInput("empty", bytes(invalid.get(0)), T0);
        raw.pipeInput("blank", bytes(invalid.get(1)), T0);
        raw.pipeInput("huge", bytes(invalid.get(2)), T0);
        raw.pipeInput("not-the-id", bytes(invalid.get(3)), T0);
        raw.pipeInput(new TestRecord<String, byte[]>(null, bytes(text("null-key", "Profit rose .")), T0));
        raw.pipeInput("tombstone", null, T0);
        send(text("good", "Operating profit rose to EUR 13.1 mn from EUR 8.7 mn ."));

        List<TestRecord<String, DeadLetter>> letters = dead.readRecordsToList();
        int expected = badValues.size() + 6;
        assertThat(expected).isGreaterThanOrEqualTo(30);
        assertThat(letters).hasSize(expected);
        assertThat(letters).allSatisfy(letter -> {
            assertThat(letter.value().getReason()).isNotBlank();
            assertThat(letter.value().getStage()).startsWith("scorer.");
            assertThat(letter.value().getOriginalTopic()).isEqualTo(Topics.RAW_TEXT.name());
        });
        for (int i = 0; i < badValues.size(); i++) {
            DeadLetter letter = letters.get(i).value();
            // a bit flip may still decode, into a record whose id no longer matches its key
            assertThat(letter.getStage()).isIn(ScorerTopology.STAGE_DESERIALIZE, ScorerTopology.STAGE_VALIDATE);
            assertThat(toArray(letter.getOriginalValue())).as("original bytes of bad-%d", i).isEqualTo(badValues.get(i));
        }
        assertThat(reasonOf(letters, "empty")).contains("empty text");
        assertThat(reasonOf(letters, "blank")).contains("empty text");
        assertThat(reasonOf(letters, "huge")).contains("exceeds scorer.max-text-chars");
        assertThat(reasonOf(letters, "not-the-id")).contains("is not the item id");
        assertThat(letters.stream().filter(l -> l.key() == null).findFirst().orElseThrow().value().getReason()).contains("null key");
        assertThat(reasonOf(letters, "tombstone")).contains("null value");
        assertThat(scored.readKeyValuesToMap()).containsOnlyKeys("good");
    }

    @Test
    void aTextWithNothingToScoreIsADeadLetterAndALongOneIsCappedAndSaysSo() {
        start(new ScorerSettings(64, 1_000_000, Duration.ofMillis(500), 200_000));
        // Given texts that are not blank but hold only what the tokenizer's normalisation removes ...
        List<String> invisible = List.of("\u200B\u200C\u200D", "\u202E\u202D\u202C\u2066\u2069", "\uDB40\uDC41\uDB40\uDC42\uDB40\uDC7F",
                "\u2060\uFEFF\u00AD", "\u0000\u0001\u0007\u001B", "\u200E\u200F \u2062\u2063");
        for (int i = 0; i < invisible.size(); i++) {
            send(text("invisible-" + i, invisible.get(i), "ACME"));
        }
        // ... and an article that needs more windows than the per-text cap
        send(text("article", "Revenue rose 4% while margins narrowed amid higher input costs. ".repeat(1_000), "ACME"));
        send(text("good", "Operating profit rose to EUR 13.1 mn from EUR 8.7 mn .", "ACME"));
        driver.advanceWallClockTime(Duration.ofMillis(600));

        // Then each invisible one is a dead letter saying why, never a neutral-looking scored text
        List<TestRecord<String, DeadLetter>> letters = dead.readRecordsToList();
        assertThat(letters).extracting(TestRecord::key).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, invisible.size()).mapToObj(i -> "invisible-" + i).toList());
        assertThat(letters).allSatisfy(letter -> {
            assertThat(letter.value().getStage()).isEqualTo(ScorerTopology.STAGE_VALIDATE);
            assertThat(letter.value().getReason()).contains("0 tokens");
        });
        // And the article is scored on the capped windows, and its record says so
        Map<String, ScoredText> out = scored.readKeyValuesToMap();
        assertThat(out).containsOnlyKeys("article", "good");
        assertThat(out.get("article").getWindows()).isEqualTo(EncoderOptions.DEFAULT_MAX_WINDOWS_PER_TEXT);
        assertThat(out.get("article").getWindowsCapped()).isTrue();
        assertThat(out.get("article").getTokens()).isGreaterThan(10_000);
        assertThat(out.get("good").getWindowsCapped()).isFalse();
    }

    private static byte[] withUnknownField(RawText text) {
        org.apache.avro.Schema current = RawText.getClassSchema();
        List<org.apache.avro.Schema.Field> fields = new ArrayList<>();
        fields.add(new org.apache.avro.Schema.Field("sentiment_hint", org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING), null, ""));
        current.getFields().forEach(f -> fields.add(new org.apache.avro.Schema.Field(f, f.schema())));
        org.apache.avro.Schema newer = org.apache.avro.Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
        org.apache.avro.generic.GenericData data = new org.apache.avro.generic.GenericData();
        data.addLogicalTypeConversion(new org.apache.avro.data.TimeConversions.TimestampMillisConversion());
        org.apache.avro.generic.GenericData.Record record = new org.apache.avro.generic.GenericData.Record(newer);
        for (org.apache.avro.Schema.Field field : RawText.getClassSchema().getFields()) {
            Object value = text.get(field.pos());
            record.put(field.name(), value instanceof Enum<?> e ? new org.apache.avro.generic.GenericData.EnumSymbol(field.schema(), e.name()) : value);
        }
        record.put("sentiment_hint", "bullish");
        try {
            ByteBuffer buffer = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericData.Record>(
                    data, newer).encode(record);
            return toArray(buffer);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String reasonOf(List<TestRecord<String, DeadLetter>> letters, String key) {
        return letters.stream().filter(l -> key.equals(l.key())).findFirst().orElseThrow().value().getReason();
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    /** The shipped model, each call noted in {@code callSizes} and held until {@code release} opens. */
    private static TextScorer heldUntil(CountDownLatch release, List<Integer> callSizes) {
        return shippedModelAfter(texts -> {
            callSizes.add(texts.size());
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Ids ta, tb, tc, ... in order. */
    private static List<String> ids(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add("t" + (char) ('a' + i));
        }
        return ids;
    }

    /** The shipped model, with {@code beforeEachCall} run first on the texts of every call (it may block or throw). */
    private static TextScorer shippedModelAfter(java.util.function.Consumer<List<String>> beforeEachCall) {
        return shippedModel((texts, real) -> {
            beforeEachCall.accept(texts);
            return real.score(texts);
        });
    }

    /** The shipped model behind {@code call}, which gets each call's texts and the real model. */
    private static TextScorer shippedModel(java.util.function.BiFunction<List<String>, TextScorer, EncodedBatch> call) {
        TextScorer real = new EncoderTextScorer(ShippedModel.encoder());
        return new TextScorer() {
            @Override
            public EncodedBatch score(List<String> texts) {
                return call.apply(texts, real);
            }

            @Override
            public String modelName() {
                return real.modelName();
            }

            @Override
            public String modelVersion() {
                return real.modelVersion();
            }
        };
    }

    /** Model calls handed to an executor that runs them only when the test says so. */
    private static final class ManualExecutor implements Executor {
        private final List<Runnable> queued = new ArrayList<>();

        @Override
        public void execute(Runnable command) {
            queued.add(command);
        }

        int runAll() {
            List<Runnable> now = new ArrayList<>(queued);
            queued.clear();
            now.forEach(Runnable::run);
            return now.size();
        }
    }

    private List<String> scoredKeys() {
        return scored.readKeyValuesToList().stream().map(kv -> kv.key).toList();
    }

    @Test
    void theNextBatchFillsWhileAModelCallRunsAndResultsComeOutInInputOrderOnceItIsDone() {
        ManualExecutor encoder = new ManualExecutor();
        start(settings(2).withEncoderThreads(1), new EncoderTextScorer(ShippedModel.encoder()), encoder);
        send(text("a", "Sales rose ."));
        send(text("b", "Sales fell ."));
        send(text("c", "Sales were flat ."));

        assertThat(scored.isEmpty()).as("the call of a and b has not run").isTrue();
        assertThat(encoder.runAll()).isEqualTo(1);
        assertThat(scored.isEmpty()).as("results are forwarded by the stream thread, not the encoder's").isTrue();

        driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(scoredKeys()).containsExactly("a", "b");

        driver.advanceWallClockTime(Duration.ofMillis(600));
        assertThat(encoder.runAll()).as("c waited its maximum and went alone").isEqualTo(1);
        driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(scoredKeys()).containsExactly("c");
        assertThat(dead.isEmpty()).isTrue();
        assertThat(driver.<String, PendingText>getKeyValueStore(ScorerTopology.PENDING_TEXTS).approximateNumEntries())
                .as("every scored text left the buffer").isZero();
    }

    /** Behind the call in flight a task buffers two more batches; a text past that waits for the call. */
    @Test
    void aFullBufferWaitsForTheCallInFlightAndNothingIsScoredTwice() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> callSizes = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService encoder = Executors.newSingleThreadExecutor();
        try {
            start(settings(2).withEncoderThreads(1), heldUntil(release, callSizes), encoder);
            List<String> ids = ids(2 + 2 * BatchingScorer.BATCHES_BEHIND + 1);
            // a and b go to the encoder; two batches more fill behind them without waiting
            ids.subList(0, ids.size() - 1).forEach(id -> send(text(id, "Sales of " + id + " rose .")));
            String last = ids.get(ids.size() - 1);
            Future<?> past = Executors.newSingleThreadExecutor().submit(() -> send(text(last, "Profit of " + last + " doubled .")));

            Thread.sleep(200);
            assertThat(past.isDone()).as("the text past two batches waits for the call of a and b").isFalse();
            release.countDown();
            past.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 100 && scored.getQueueSize() < ids.size(); i++) {
                Thread.sleep(20);
                driver.advanceWallClockTime(Duration.ofMillis(20));
            }
            assertThat(scoredKeys()).containsExactlyElementsOf(ids);
            assertThat(callSizes).containsExactly(2, 2, 2, 1);
        } finally {
            release.countDown();
            encoder.shutdownNow();
        }
    }

    /**
     * A model call that does not come back (a stuck device, a huge text, six tasks' calls ahead of it) holds the stream
     * thread no longer than its wait budget: past it every send returns, the texts wait beyond a full batch, and once the
     * call is done they go out in batches of at most the limit, each exactly once and in input order.
     */
    @Test
    void aStuckModelCallHoldsTheStreamThreadOnlyForItsWaitBudgetAndNothingIsLostOrDoubled() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> callSizes = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService encoder = Executors.newSingleThreadExecutor();
        ExecutorService streamThread = Executors.newSingleThreadExecutor();
        try {
            start(settings(2).withEncoderThreads(1).withStreamThreadWait(Duration.ofMillis(300)), heldUntil(release, callSizes), encoder);
            List<String> ids = ids(12);
            // Given a first call that never returns, when twelve texts arrive on one stream thread without a punctuation
            Future<?> sends = streamThread.submit(() -> ids.forEach(id -> send(text(id, "Sales of " + id + " rose ."))));
            // then every send returns while the call still hangs: the thread waited once, for its budget, then buffered
            sends.get(30, TimeUnit.SECONDS);
            assertThat(release.getCount()).as("the first call is still running").isEqualTo(1);
            assertThat(scored.isEmpty()).isTrue();
            assertThat(callSizes).containsExactly(2);
            assertThat(driver.<String, PendingText>getKeyValueStore(ScorerTopology.PENDING_TEXTS).approximateNumEntries())
                    .as("every text is in the changelogged buffer").isEqualTo(12);

            release.countDown();
            for (int i = 0; i < 200 && scored.getQueueSize() < ids.size(); i++) {
                Thread.sleep(10);
                streamThread.submit(() -> driver.advanceWallClockTime(Duration.ofMillis(20))).get(30, TimeUnit.SECONDS);
            }
            assertThat(scoredKeys()).as("each text once, in input order").containsExactlyElementsOf(ids);
            assertThat(callSizes).as("no call larger than a batch").allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(2));
            assertThat(callSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(ids.size());
            assertThat(dead.isEmpty()).isTrue();
        } finally {
            release.countDown();
            encoder.shutdownNow();
            streamThread.shutdownNow();
        }
    }

    /**
     * With two encoder threads one task keeps both busy: its next batch goes to the encoder while the first is still in
     * the model, and results come out in input order even when the second call finishes first.
     */
    @Test
    void aTaskHasACallInFlightPerEncoderThreadAndForwardsResultsInInputOrder() {
        ManualExecutor encoder = new ManualExecutor();
        start(settings(2).withEncoderThreads(2), new EncoderTextScorer(ShippedModel.encoder()), encoder);
        for (String id : List.of("a", "b", "c", "d", "e")) {
            send(text(id, "Sales of " + id + " rose ."));
        }
        assertThat(encoder.queued.size()).as("a+b and c+d handed over, e waits for a free call").isEqualTo(2);

        // The second call finishes first: nothing goes out until the first one is done.
        encoder.queued.remove(1).run();
        driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(scored.isEmpty()).isTrue();
        encoder.runAll();
        driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(scoredKeys()).containsExactly("a", "b", "c", "d");

        driver.advanceWallClockTime(Duration.ofMillis(600));
        encoder.runAll();
        driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(scoredKeys()).containsExactly("e");
        assertThat(driver.<String, PendingText>getKeyValueStore(ScorerTopology.PENDING_TEXTS).approximateNumEntries()).isZero();
    }

    /** Once the encoder's pace is measured, a batch holds what it can score within the call budget, not only what fits the count. */
    @Test
    void batchesAreCutToTheCallBudgetAtTheMeasuredPace() {
        List<Integer> callSizes = new ArrayList<>();
        // A model that takes 100 ms of encoder time per text (as its stats say): 1 s of budget is 10 texts.
        TextScorer slow = shippedModel((texts, real) -> {
            callSizes.add(texts.size());
            EncodedBatch batch = real.score(texts);
            var stats = batch.stats();
            return new EncodedBatch(batch.results(), new io.finsent.encoder.EncodeStats(stats.texts(), stats.windows(), stats.realTokens(),
                    stats.paddedTokens(), stats.paddedSquaredTokens(), stats.calls(), 0, texts.size() * 100_000_000L));
        });
        start(settings(64).withCallBudget(Duration.ofSeconds(1)), slow);
        // Texts of one record size, so each is the same number of estimated tokens.
        for (int i = 10; i < 10 + 64 + 30; i++) {
            send(text("id" + i, "Sales rose " + i + " % ."));
        }
        assertThat(callSizes).as("the first call, before any pace is known, is a full batch by count").startsWith(64);
        assertThat(callSizes.subList(1, callSizes.size())).as("then 1 s at 100 ms a text").containsExactly(10, 10, 10);
        assertThat(scored.readKeyValuesToList()).hasSize(94);
    }

    /** An encoder call that fails (say, out of GPU memory) is retried in halves; only the text that fails alone is a dead letter. */
    @Test
    void aFailingEncoderCallIsRetriedInHalvesAndOnlyThePoisonTextIsDeadLettered() {
        Predicate<List<String>> poisoned = texts -> texts.stream().anyMatch(t -> t.contains("POISON"));
        List<Integer> callSizes = new ArrayList<>();
        start(settings(8), shippedModelAfter(texts -> {
            callSizes.add(texts.size());
            if (poisoned.test(texts)) {
                throw new IllegalStateException("simulated CUDA out of memory");
            }
        }));
        for (int i = 0; i < 7; i++) {
            send(text("ok-" + i, "Sales rose " + i + " % ."));
        }
        send(text("poison", "POISON text that breaks the encoder"));

        assertThat(scored.readKeyValuesToMap()).hasSize(7).doesNotContainKey("poison");
        List<TestRecord<String, DeadLetter>> letters = dead.readRecordsToList();
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.key()).isEqualTo("poison");
            assertThat(letter.value().getStage()).isEqualTo(ScorerTopology.STAGE_ENCODE);
            assertThat(letter.value().getReason()).contains("simulated CUDA out of memory");
        });
        assertThat(callSizes.get(0)).isEqualTo(8);
        assertThat(callSizes).contains(1);
    }
}
