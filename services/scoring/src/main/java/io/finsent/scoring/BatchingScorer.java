package io.finsent.scoring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 */
final class BatchingScorer implements Processor<String, PendingText, String, Object> {

    private static final Logger LOG = Logger.getLogger(BatchingScorer.class);

    private final ScorerSettings settings;
    private final TextScorer scorer;
    private final ScorerMetrics metrics;
    private final Map<String, CachedDescription> descriptions = new HashMap<>();
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingText> pending;
    private KeyValueStore<String, TopicDefinition> definitions;
    private int pendingTexts;
    private long pendingTokens;
    private long oldestPendingSince = -1;

    private record CachedDescription(String text, float[] embedding) {
    }

    BatchingScorer(ScorerSettings settings, TextScorer scorer, ScorerMetrics metrics) {
        this.settings = settings;
        this.scorer = scorer;
        this.metrics = metrics;
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
        Duration every = Duration.ofMillis(Math.max(10, settings.maxWait().toMillis() / 5));
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, PendingText> record) {
        pending.put(record.key(), record.value());
        add(record.value());
        if (pendingTexts >= settings.maxBatchTexts() || pendingTokens >= settings.tokenBudget()) {
            flush(context.currentSystemTimeMs());
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
        if (pendingTexts > 0 && now - oldestPendingSince >= settings.maxWait().toMillis()) {
            flush(now);
        }
    }

    private void flush(long now) {
        List<KeyValue<String, PendingText>> batch = new ArrayList<>(pendingTexts);
        try (KeyValueIterator<String, PendingText> all = pending.all()) {
            all.forEachRemaining(batch::add);
        }
        // Out in the order the texts came in (the store iterates by key), so each scored partition keeps its
        // partition's event-time order and downstream windows see no disorder the input did not have.
        batch.sort(java.util.Comparator.comparingLong((KeyValue<String, PendingText> e) -> e.value.offset()).thenComparing(e -> e.key));
        List<String> keys = new ArrayList<>(batch.size());
        List<PendingText> texts = new ArrayList<>(batch.size());
        List<RawText> raws = new ArrayList<>(batch.size());
        for (KeyValue<String, PendingText> entry : batch) {
            try {
                raws.add(Topics.RAW_TEXT.valueSerde().deserializer().deserialize(entry.value.topic(), entry.value.value()));
                keys.add(entry.key);
                texts.add(entry.value);
            } catch (SerializationException e) {
                deadLetter(entry.key, entry.value, ScorerTopology.STAGE_DESERIALIZE, e.getMessage());
            }
        }
        Duration waited = Duration.ofMillis(oldestPendingSince <= 0 ? 0 : now - oldestPendingSince);
        long started = System.nanoTime();
        TokenCount tokens = new TokenCount();
        Object[] outcomes = new Object[raws.size()];
        scoreInHalves(raws.stream().map(BatchingScorer::textOf).toList(), outcomes, 0, tokens);
        Duration encoderTime = Duration.ofNanos(System.nanoTime() - started);
        Map<String, TopicDefinition> topics = topicDefinitions();
        Map<String, float[]> descriptionEmbeddings = descriptionEmbeddings(topics);
        for (int i = 0; i < raws.size(); i++) {
            if (outcomes[i] instanceof EncoderResult result) {
                RawText raw = raws.get(i);
                ScoredText scored = scoredText(raw, result, TopicMatcher.match(raw, result.embedding(), topics, descriptionEmbeddings));
                // Event time, never the wall clock: a replay writes the same records with the same timestamps.
                context.forward(new Record<>(keys.get(i), scored, raw.getPublishedAt().toEpochMilli()));
            } else {
                deadLetter(keys.get(i), texts.get(i), ScorerTopology.STAGE_ENCODE, (String) outcomes[i]);
            }
        }
        metrics.batch(raws.size(), tokens.real, tokens.computed, encoderTime, waited);
        for (KeyValue<String, PendingText> entry : batch) {
            pending.delete(entry.key);
        }
        pendingTexts = 0;
        pendingTokens = 0;
        oldestPendingSince = -1;
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
