package io.finsent.scoring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import io.finsent.common.DeadLetters;
import io.finsent.common.Topics;
import io.finsent.encoder.EncodedBatch;
import io.finsent.encoder.EncoderResult;
import io.finsent.schema.RawText;
import io.finsent.schema.ScoredText;
import io.finsent.schema.Sentiment;
import io.finsent.schema.TopicDefinition;

/**
 * Buffers texts in a changelogged state store and scores them in one encoder call when the batch is
 * full (texts or estimated tokens) or the oldest has waited too long (wall-clock punctuation). Under
 * exactly_once_v2 the buffer, the outputs and the input offsets commit together, so a crash loses
 * nothing and doubles nothing: buffered texts come back from the changelog, the rest are read again.
 * A failed encoder call is retried in halves; a text that still fails alone becomes a dead letter.
 *
 * <p>The model call runs on the encoder executor while the stream thread goes on reading, buffering and
 * committing: one batch per task is in flight, and the next one fills behind it. Texts of the batch in flight
 * stay in the store until their results are forwarded (on the stream thread, in a later {@code process} or
 * punctuation), so a commit in between keeps them, and a task closed mid-call drops the call's results: its
 * next owner restores the texts from the changelog and scores them again. A full buffer waits for the call in
 * flight, which bounds the memory and applies back-pressure to the input.
 */
final class BatchingScorer implements Processor<String, PendingText, String, Object> {

    private static final Logger LOG = Logger.getLogger(BatchingScorer.class);
    /** How often finished model calls are collected when no record arrives (wall clock). */
    private static final Duration COLLECT_EVERY = Duration.ofMillis(20);

    private final ScorerSettings settings;
    private final TextScorer scorer;
    private final ScorerMetrics metrics;
    private final Executor encoderExecutor;
    private final Map<String, CachedDescription> descriptions = new HashMap<>();
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingText> pending;
    private KeyValueStore<String, TopicDefinition> definitions;
    /** Texts waiting for the next batch (not counting the batch in flight). */
    private int pendingTexts;
    private long pendingTokens;
    private long oldestPendingSince = -1;
    private InFlight inFlight;

    private record CachedDescription(String text, float[] embedding) {
    }

    /** A batch handed to the encoder: its texts in input order and the model call's outcomes, once done. */
    private record InFlight(List<KeyValue<String, PendingText>> entries, List<RawText> raws, Duration waited,
                            CompletableFuture<Outcomes> outcomes) {
    }

    /** Per text an {@link EncoderResult} or the reason it failed alone; token counts and time of the call. */
    private record Outcomes(Object[] perText, TokenCount tokens, Duration encoderTime) {
    }

    BatchingScorer(ScorerSettings settings, TextScorer scorer, ScorerMetrics metrics, Executor encoderExecutor) {
        this.settings = settings;
        this.scorer = scorer;
        this.metrics = metrics;
        this.encoderExecutor = encoderExecutor;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(ScorerTopology.PENDING_TEXTS);
        this.definitions = context.getStateStore(ScorerTopology.TOPIC_DEFINITIONS);
        try (KeyValueIterator<String, PendingText> all = pending.all()) {
            while (all.hasNext()) {
                add(all.next().value);
            }
        }
        if (pendingTexts > 0) {
            // Texts restored from the changelog after a restart: score them at the next punctuation.
            oldestPendingSince = 0;
            LOG.infof("task %s resumed with %d buffered texts", context.taskId(), pendingTexts);
        }
        Duration every = Duration.ofMillis(Math.max(10, Math.min(COLLECT_EVERY.toMillis(), settings.maxWait().toMillis() / 5)));
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, PendingText> record) {
        collect(false);
        pending.put(record.key(), record.value());
        add(record.value());
        if (pendingTexts >= settings.maxBatchTexts() || pendingTokens >= settings.tokenBudget()) {
            collect(true);
            submit(context.currentSystemTimeMs());
        }
    }

    @Override
    public void close() {
        if (inFlight != null) {
            // Never forwarded, so never committed: the texts are still in the store's changelog for the next owner.
            inFlight.outcomes().cancel(false);
            inFlight = null;
        }
    }

    private void add(PendingText text) {
        pendingTexts++;
        pendingTokens += ScorerSettings.estimatedTokens(text.value().length);
        if (oldestPendingSince < 0) {
            oldestPendingSince = context.currentSystemTimeMs();
        }
    }

    private void punctuate(long now) {
        collect(false);
        if (inFlight == null && pendingTexts > 0 && now - oldestPendingSince >= settings.maxWait().toMillis()) {
            submit(now);
        }
    }

    /** Hands every waiting text to the encoder as one batch; the stream thread does not wait for the call. */
    private void submit(long now) {
        List<KeyValue<String, PendingText>> batch = new ArrayList<>(pendingTexts);
        try (KeyValueIterator<String, PendingText> all = pending.all()) {
            all.forEachRemaining(batch::add);
        }
        // Out in the order the texts came in (the store iterates by key), so each scored partition keeps its
        // partition's event-time order and downstream windows see no disorder the input did not have.
        batch.sort(java.util.Comparator.comparingLong((KeyValue<String, PendingText> e) -> e.value.offset()).thenComparing(e -> e.key));
        List<KeyValue<String, PendingText>> entries = new ArrayList<>(batch.size());
        List<RawText> raws = new ArrayList<>(batch.size());
        for (KeyValue<String, PendingText> entry : batch) {
            try {
                raws.add(Topics.RAW_TEXT.valueSerde().deserializer().deserialize(entry.value.topic(), entry.value.value()));
                entries.add(entry);
            } catch (SerializationException e) {
                deadLetter(entry.key, entry.value, ScorerTopology.STAGE_DESERIALIZE, e.getMessage());
                pending.delete(entry.key);
            }
        }
        Duration waited = Duration.ofMillis(oldestPendingSince <= 0 ? 0 : now - oldestPendingSince);
        pendingTexts = 0;
        pendingTokens = 0;
        oldestPendingSince = -1;
        if (raws.isEmpty()) {
            return;
        }
        List<String> texts = raws.stream().map(BatchingScorer::textOf).toList();
        inFlight = new InFlight(entries, raws, waited, CompletableFuture.supplyAsync(() -> score(texts), encoderExecutor));
        collect(false);
    }

    private Outcomes score(List<String> texts) {
        long started = System.nanoTime();
        TokenCount tokens = new TokenCount();
        Object[] outcomes = new Object[texts.size()];
        scoreInHalves(texts, outcomes, 0, tokens);
        return new Outcomes(outcomes, tokens, Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * Forwards the results of the batch in flight once its model call is done ({@code wait}: waits for it), and
     * removes its texts from the store in the same transaction.
     */
    private void collect(boolean wait) {
        if (inFlight == null || (!wait && !inFlight.outcomes().isDone())) {
            return;
        }
        InFlight done = inFlight;
        inFlight = null;
        Outcomes outcomes = done.outcomes().join();
        Map<String, TopicDefinition> topics = topicDefinitions();
        Map<String, float[]> descriptionEmbeddings = descriptionEmbeddings(topics);
        for (int i = 0; i < done.raws().size(); i++) {
            KeyValue<String, PendingText> entry = done.entries().get(i);
            if (outcomes.perText()[i] instanceof EncoderResult result) {
                RawText raw = done.raws().get(i);
                ScoredText scored = scoredText(raw, result, TopicMatcher.match(raw, result.embedding(), topics, descriptionEmbeddings));
                // Event time, never the wall clock: a replay writes the same records with the same timestamps.
                context.forward(new Record<>(entry.key, scored, raw.getPublishedAt().toEpochMilli()));
            } else {
                deadLetter(entry.key, entry.value, ScorerTopology.STAGE_ENCODE, (String) outcomes.perText()[i]);
            }
        }
        metrics.batch(done.raws().size(), outcomes.tokens().real, outcomes.tokens().computed, outcomes.encoderTime(), done.waited());
        for (KeyValue<String, PendingText> entry : done.entries()) {
            PendingText stored = pending.get(entry.key);
            if (stored != null && stored.sameRecord(entry.value)) {
                pending.delete(entry.key);
            } else if (stored != null) {
                // The same key arrived again while its first copy was in flight: the newer copy waits for the next batch.
                LOG.debugf("key %s came again during its model call; the new copy stays buffered", entry.key);
            }
        }
    }

    private static final class TokenCount {
        long real;
        long computed;
    }

    /** Scores {@code texts} into {@code outcomes[offset..]}: an {@link EncoderResult}, or the reason it failed alone. */
    private void scoreInHalves(List<String> texts, Object[] outcomes, int offset, TokenCount tokens) {
        if (texts.isEmpty()) {
            return;
        }
        try {
            EncodedBatch batch = scorer.score(texts);
            tokens.real += batch.stats().realTokens();
            tokens.computed += batch.stats().paddedTokens();
            for (int i = 0; i < texts.size(); i++) {
                outcomes[offset + i] = batch.results().get(i);
            }
        } catch (RuntimeException e) {
            if (texts.size() == 1) {
                LOG.warnf("a text failed in the encoder on its own: %s", e.toString());
                outcomes[offset] = "encoder failed on this text alone: " + e;
                return;
            }
            LOG.warnf("encoder call of %d texts failed (%s); retrying in halves", texts.size(), e.toString());
            int half = texts.size() / 2;
            scoreInHalves(texts.subList(0, half), outcomes, offset, tokens);
            scoreInHalves(texts.subList(half, texts.size()), outcomes, offset + half, tokens);
        }
    }

    static String textOf(RawText raw) {
        String title = raw.getTitle();
        return title == null || title.isBlank() ? raw.getBody() : raw.getBody().isBlank() ? title : title + "\n" + raw.getBody();
    }

    private Map<String, TopicDefinition> topicDefinitions() {
        Map<String, TopicDefinition> topics = new java.util.TreeMap<>();
        try (KeyValueIterator<String, TopicDefinition> all = definitions.all()) {
            all.forEachRemaining(kv -> topics.put(kv.key, kv.value));
        }
        return topics;
    }

    /**
     * Embeddings of the topic descriptions, computed once per description text (a changed description
     * is embedded again); texts are never embedded twice.
     */
    private Map<String, float[]> descriptionEmbeddings(Map<String, TopicDefinition> topics) {
        descriptions.keySet().retainAll(topics.keySet());
        List<String> missingIds = new ArrayList<>();
        List<String> missingTexts = new ArrayList<>();
        for (TopicDefinition topic : topics.values()) {
            String description = topic.getDescription();
            if (description == null || description.isBlank() || topic.getSimilarityThreshold() == null) {
                descriptions.remove(topic.getId());
                continue;
            }
            CachedDescription cached = descriptions.get(topic.getId());
            if (cached == null || !cached.text().equals(description)) {
                missingIds.add(topic.getId());
                missingTexts.add(description);
            }
        }
        if (!missingTexts.isEmpty()) {
            try {
                List<EncoderResult> results = scorer.score(missingTexts).results();
                for (int i = 0; i < missingIds.size(); i++) {
                    descriptions.put(missingIds.get(i), new CachedDescription(missingTexts.get(i), results.get(i).embedding()));
                }
            } catch (RuntimeException e) {
                LOG.warnf("cannot embed topic descriptions (similarity tagging skipped for this batch): %s", e.toString());
            }
        }
        Map<String, float[]> embeddings = new HashMap<>();
        descriptions.forEach((id, cached) -> embeddings.put(id, cached.embedding()));
        return embeddings;
    }

    private ScoredText scoredText(RawText raw, EncoderResult result, List<io.finsent.schema.TopicMatch> topics) {
        var sentiment = result.sentiment();
        return ScoredText.newBuilder()
                .setId(raw.getId())
                .setSourceKind(raw.getSourceKind())
                .setSource(raw.getSource())
                .setPublishedAt(raw.getPublishedAt())
                .setTitle(raw.getTitle())
                .setTickers(raw.getTickers())
                .setTopics(topics)
                .setLabel(Sentiment.valueOf(sentiment.label().toUpperCase(Locale.ROOT)))
                .setPNegative(sentiment.pNegative())
                .setPNeutral(sentiment.pNeutral())
                .setPPositive(sentiment.pPositive())
                .setScore(sentiment.score())
                .setWorstWindowPNegative(sentiment.mostNegativeWindowPNegative())
                .setModelName(scorer.modelName())
                .setModelVersion(scorer.modelVersion())
                .setWindows(result.windows())
                .setWindowsCapped(result.windowsCapped())
                .setTokens(result.tokens())
                .build();
    }

    private void deadLetter(String key, PendingText text, String stage, String reason) {
        metrics.deadLetter(stage);
        context.forward(new Record<>(key, DeadLetters.of(stage, reason, key, text.value(), text.topic(), text.partition(), text.offset(), text.timestamp()), text.timestamp()));
    }
}
