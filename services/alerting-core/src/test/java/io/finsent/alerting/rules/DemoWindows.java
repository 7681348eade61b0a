package io.finsent.alerting.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import io.finsent.alerting.trends.TrendPoint;
import io.finsent.ingest.IncomingItem;
import io.finsent.ingest.demo.DemoStream;
import io.finsent.ingest.demo.DemoStream.Tone;

/**
 * One-minute trend windows of the demo stream, as the scorer would roughly see it: each item counts in its
 * company's topic with the tone it was written in, flipped to another tone with probability {@code labelNoise}
 * (the model is about 86% accurate), and a score drawn around its label. Seeded: the same arguments give the
 * same windows.
 *
 * @param rate         calm items a minute over all 20 tickers
 * @param minutes      event-time minutes of stream
 * @param surgeMinute  minute at which the surge on {@code BA} starts; it lasts 3 minutes, with the demo's default factor
 */
record DemoWindows(long seed, double rate, int minutes, int surgeMinute, double labelNoise) {

    static final String SURGE_TOPIC = "BA";
    static final long MINUTE = 60_000;
    static final Instant START = Instant.parse("2025-03-03T09:00:00Z");

    List<TrendPoint> windows() {
        DemoStream.Script script = new DemoStream.Script(SURGE_TOPIC, Duration.ofMinutes(minutes), Duration.ofMinutes(surgeMinute),
                Duration.ofMinutes(3), rate, 1.0);
        DemoStream stream = new DemoStream(seed, START, script);
        SplittableRandom noise = new SplittableRandom(seed * 7919 + 13);
        Instant end = START.plus(Duration.ofMinutes(minutes));
        Map<String, Map<Long, List<double[]>>> byTopic = new TreeMap<>();
        while (stream.peekTime().isBefore(end)) {
            DemoStream.DemoItem item = stream.next();
            Tone tone = item.tone();
            if (noise.nextDouble() < labelNoise) {
                Tone[] others = java.util.Arrays.stream(Tone.values()).filter(t -> t != item.tone()).toArray(Tone[]::new);
                tone = others[noise.nextInt(others.length)];
            }
            double score = switch (tone) {
                case NEGATIVE -> -0.8 + 0.3 * (noise.nextDouble() - 0.5);
                case NEUTRAL -> 0.4 * (noise.nextDouble() - 0.5);
                case POSITIVE -> 0.8 + 0.3 * (noise.nextDouble() - 0.5);
            };
            long minute = item.item().publishedAt().toEpochMilli() / MINUTE * MINUTE;
            byTopic.computeIfAbsent(topicOf(item.item()), t -> new TreeMap<>()).computeIfAbsent(minute, m -> new ArrayList<>())
                    .add(new double[] {tone.ordinal(), score});
        }
        List<TrendPoint> windows = new ArrayList<>();
        byTopic.forEach((topic, minutesOfTopic) -> minutesOfTopic.forEach((start, texts) -> windows.add(point(topic, start, texts))));
        return windows;
    }

    /** The company an item is about: its ticker, or the cashtag a post starts with. */
    static String topicOf(IncomingItem item) {
        if (!item.tickers().isEmpty()) {
            return item.tickers().get(0);
        }
        String body = item.body();
        return body.substring(1, body.indexOf(' '));
    }

    private static TrendPoint point(String topic, long start, List<double[]> texts) {
        long[] labels = new long[3];
        double sum = 0;
        for (double[] t : texts) {
            labels[(int) t[0]]++;
            sum += t[1];
        }
        double mean = sum / texts.size();
        double squares = 0;
        for (double[] t : texts) {
            squares += (t[1] - mean) * (t[1] - mean);
        }
        return new TrendPoint(topic, start, MINUTE, texts.size(), labels[Tone.NEGATIVE.ordinal()], labels[Tone.NEUTRAL.ordinal()],
                labels[Tone.POSITIVE.ordinal()], mean, Math.sqrt(squares / texts.size()));
    }
}
