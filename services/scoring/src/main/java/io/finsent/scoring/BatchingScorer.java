package io.finsent.scoring;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
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
import io.finsent.common.ModelText;
import io.finsent.common.Topics;
import io.finsent.encoder.EncodedBatch;
import io.finsent.encoder.EncoderResult;
import io.finsent.schema.RawText;
import io.finsent.schema.ScoredText;
import io.finsent.schema.Sentiment;
import io.finsent.schema.TopicDefinition;

/**
 * Buffers texts in a changelogged state store and scores them in one encoder call when the batch is
 * full (texts, estimated tokens, or the time the encoder would take at its measured pace) or the oldest has waited
 * too long (wall-clock punctuation). Under exactly_once_v2 the buffer, the outputs and the input offsets commit
 * together, so a crash loses nothing and doubles nothing: buffered texts come back from the changelog, the rest are
 * read again. A failed encoder call is retried in halves; a text that still fails alone becomes a dead letter.
 *
 * <p>The model call runs on the encoder executor while the stream thread goes on reading, buffering and
 * committing: each task has up to {@code scorer.encoder-threads} batches in flight (so one task alone keeps every encoder
 * thread busy) and the next one fills behind them; results go out in the order the batches went in. Texts of the batch in flight
 * stay in the store until their results are forwarded (on the stream thread, in a later {@code process} or
 * punctuation), so a commit in between keeps them, and a task closed mid-call drops the call's results: its
 * next owner restores the texts from the changelog and scores them again.
 *
 * <p>Behind the call in flight a task buffers up to {@link #BATCHES_BEHIND} more batches, so that when an encoder thread
 * frees, a full batch is ready. Past that a new text waits for a model call to finish ({@link CallCompletions}): the
 * back-pressure on the input. It waits only when every task of its stream thread is full as well, or when it is past
 * {@link #MOST_BATCHES_BEHIND} batches (the stream thread serves its tasks in turn, so a task that waits holds up the
 * others: see {@link StreamThreadTasks}), and only as long as the thread's wait budget allows: past it the text is
 * buffered anyway and the thread goes on to commit, so no number of tasks, batch size, text length or slow device can
 * hold a transaction open past its timeout.
 */
final class BatchingScorer implements Processor<String, PendingText, String, Object>, StreamThreadTasks.Task {

    private static final Logger LOG = Logger.getLogger(BatchingScorer.class);
    /** Full batches a task buffers behind its call in flight; past them a new text waits if its thread's other tasks are full too. */
    static final int BATCHES_BEHIND = 2;
    /** Full batches behind the call past which a new text waits in any case (the bound on a task's memory). */
    static final int MOST_BATCHES_BEHIND = 6;
    /** How often finished model calls are collected when no record arrives (wall clock). */
    private static final Duration COLLECT_EVERY = Duration.ofMillis(20);

    private final ScorerSettings settings;
    private final TextScorer scorer;
    private final ScorerMetrics metrics;
    private final Executor encoderExecutor;
    private final EncoderPace pace;
    private final CallCompletions completions;
    private final TopicCatalog catalog;
    private final Map<String, CachedDescription> descriptions = new HashMap<>();
    /** The topic definitions and their matcher, as of {@link #matcherChanges} changes of the catalog. */
    private Map<String, TopicDefinition> topics;
    private TopicMatcher matcher;
    private long matcherChanges = -1;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingText> pending;
    private KeyValueStore<String, TopicDefinition> definitions;
    /** Texts waiting for the next batch (not counting the batch in flight). */
    private int pendingTexts;
    private long pendingTokens;
    private long oldestPendingSince = -1;
    /** Batches handed to the encoder, oldest first; their results are forwarded in this order. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    /** The last input offset handed to the encoder: texts after it wait for a batch. */
    private long handedOverThrough = -1;
    /** The tasks of the stream thread that runs this one (known once it has processed or punctuated). */
    private StreamThreadTasks thread;

    private record CachedDescription(String text, float[] embedding) {
    }

    /** A batch handed to the encoder: its texts in input order and the model call's outcomes, once done. */
    private record InFlight(List<KeyValue<String, PendingText>> entries, List<RawText> raws, long estimatedTokens, Duration waited,
                            CompletableFuture<Outcomes> outcomes) {
    }

    /** What became of one text of a model call. */
    private sealed interface Outcome permits Scored, Failed {
    }

    private record Scored(EncoderResult result) implements Outcome {
    }

    static final String NO_TOKENS = "no scorable content: the text has 0 tokens after the tokenizer's normalisation (empty, or only "
            + "whitespace, invisible, control or format characters)";

    /** The text failed in the encoder on its own; {@code reason} goes into its dead letter. */
    private record Failed(String reason) implements Outcome {
    }

    /** Per text its outcome, in input order; token counts and the encoder's own time for the call. */
    private record Outcomes(Outcome[] perText, TokenCount tokens, Duration encoderTime) {
    }

    BatchingScorer(ScorerSettings settings, TextScorer scorer, ScorerMetrics metrics, Executor encoderExecutor, EncoderPace pace,
            CallCompletions completions, TopicCatalog catalog) {
        this.settings = settings;
        this.scorer = scorer;
        this.metrics = metrics;
        this.encoderExecutor = encoderExecutor;
        this.pace = pace;
        this.completions = completions;
        this.catalog = catalog;
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
            metrics.taskResumed();
            LOG.infof("task %s resumed with %d buffered texts", context.taskId(), pendingTexts);
        }
        Duration every = Duration.ofMillis(Math.max(10, Math.min(COLLECT_EVERY.toMillis(), settings.maxWait().toMillis() / 5)));
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, PendingText> record) {
        onStreamThread();
        collect();
        pending.put(record.key(), record.value());
        add(record.value());
        if (!mayHandOver() && full()) {
            if (behind(MOST_BATCHES_BEHIND) || thread.allFull()) {
                awaitCall();
            }
            if (!mayHandOver() && full()) {
                // The other tasks of the thread need it, or its wait budget is spent: the text is buffered past the limit.
                metrics.bufferedPastLimit();
            }
        }
        while (mayHandOver() && batchFull()) {
            submit(context.currentSystemTimeMs());
        }
    }

    /** Whether this task may hand the encoder another batch: fewer calls in flight than the encoder runs at once. */
    private boolean mayHandOver() {
        return inFlight.size() < settings.encoderThreads();
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.leave(this);
        }
        // Never forwarded, so never committed: the texts are still in the store's changelog for the next owner.
        inFlight.forEach(call -> call.outcomes().cancel(false));
        inFlight.clear();
    }

    private void add(PendingText text) {
        pendingTexts++;
        pendingTokens += ScorerSettings.estimatedTokens(text.value().length);
        if (oldestPendingSince < 0) {
            oldestPendingSince = context.currentSystemTimeMs();
        }
    }

    /** Whether the waiting texts make a batch: by count, by estimated tokens, or by the time they would take. */
    private boolean batchFull() {
        return pendingTexts >= settings.maxBatchTexts() || pendingTokens >= settings.tokenBudget()
                || pendingTokens >= pace.tokensWithin(settings.callBudget());
    }

    /** Whether the waiting texts make more than {@link #BATCHES_BEHIND} batches. */
    @Override
    public boolean full() {
        return behind(BATCHES_BEHIND);
    }

    /** Whether the waiting texts make more than {@code batches} batches, by count or by tokens. */
    private boolean behind(int batches) {
        return pendingTexts > (long) batches * settings.maxBatchTexts()
                || pendingTokens > batches * Math.min(settings.tokenBudget(), pace.tokensWithin(settings.callBudget()));
    }

    /** Joins this task to the tasks of the stream thread that runs it (process and punctuate run on that thread). */
    private void onStreamThread() {
        StreamThreadTasks current = StreamThreadTasks.current();
        if (current != thread) {
            if (thread != null) {
                thread.leave(this);
            }
            thread = current;
            thread.join(this);
        }
    }

    private void punctuate(long now) {
        onStreamThread();
        thread.renew();
        collect();
        while (mayHandOver() && pendingTexts > 0 && (batchFull() || now - oldestPendingSince >= settings.maxWait().toMillis())) {
            submit(now);
        }
    }

    /**
     * Waits until a model call of this topology finishes (this task's or another's, whose task the stream thread must
     * then serve), as long as this stream thread's wait budget allows, and collects this task's calls that are done.
     */
    private void awaitCall() {
        long remaining = thread.remainingNanos(settings.streamThreadWait().toNanos());
        if (remaining <= 0) {
            return;
        }
        long seen = completions.count();
        if (inFlight.peekFirst().outcomes().isDone()) {
            collect();
            return;
        }
        long started = System.nanoTime();
        try {
            completions.awaitAfter(seen, remaining);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            long waited = System.nanoTime() - started;
            thread.spend(waited);
            metrics.streamThreadWaited(Duration.ofNanos(waited));
        }
        collect();
    }

    /**
     * Hands the oldest waiting texts, up to one batch, to the encoder; the stream thread does not wait for the call.
     * Texts beyond the batch (restored from the changelog, or taken while the thread could not wait) stay buffered.
     */
    private void submit(long now) {
        List<KeyValue<String, PendingText>> waiting = new ArrayList<>(pendingTexts);
        try (KeyValueIterator<String, PendingText> all = pending.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.offset() > handedOverThrough) {
                    waiting.add(entry);
                }
            });
        }
        // Out in the order the texts came in (the store iterates by key), so each scored partition keeps its
        // partition's event-time order and downstream windows see no disorder the input did not have.
        waiting.sort(Comparator.comparingLong((KeyValue<String, PendingText> e) -> e.value.offset()).thenComparing(e -> e.key));
        long tokensWithinBudget = Math.min(settings.tokenBudget(), pace.tokensWithin(settings.callBudget()));
        List<KeyValue<String, PendingText>> entries = new ArrayList<>(Math.min(waiting.size(), settings.maxBatchTexts()));
        List<RawText> raws = new ArrayList<>(entries.size());
        long batchTokens = 0;
        int taken = 0;
        for (KeyValue<String, PendingText> entry : waiting) {
            int tokens = ScorerSettings.estimatedTokens(entry.value.value().length);
            if (!entries.isEmpty() && (entries.size() >= settings.maxBatchTexts() || batchTokens + tokens > tokensWithinBudget)) {
                break;
            }
            taken++;
            handedOverThrough = Math.max(handedOverThrough, entry.value.offset());
            try {
                raws.add(Topics.RAW_TEXT.valueSerde().deserializer().deserialize(entry.value.topic(), entry.value.value()));
                entries.add(entry);
                batchTokens += tokens;
            } catch (SerializationException e) {
                deadLetter(entry.key, entry.value, ScorerTopology.STAGE_DESERIALIZE, e.getMessage());
                pending.delete(entry.key);
            }
        }
        Duration waited = Duration.ofMillis(oldestPendingSince <= 0 ? 0 : now - oldestPendingSince);
        pendingTexts = waiting.size() - taken;
        pendingTokens = 0;
        for (KeyValue<String, PendingText> rest : waiting.subList(taken, waiting.size())) {
            pendingTokens += ScorerSettings.estimatedTokens(rest.value.value().length);
        }
        if (pendingTexts == 0) {
            oldestPendingSince = -1;
        }
        if (raws.isEmpty()) {
            return;
        }
        List<String> texts = raws.stream().map(BatchingScorer::textOf).toList();
        CompletableFuture<Outcomes> call = CompletableFuture.supplyAsync(() -> score(texts), encoderExecutor);
        call.whenComplete((outcomes, failure) -> completions.finishedOne());
        inFlight.addLast(new InFlight(entries, raws, batchTokens, waited, call));
        collect();
    }

    private Outcomes score(List<String> texts) {
        TokenCount tokens = new TokenCount();
        Outcome[] outcomes = new Outcome[texts.size()];
        scoreInHalves(texts, outcomes, 0, tokens);
        return new Outcomes(outcomes, tokens, Duration.ofNanos(tokens.encoderNanos));
    }

    /**
     * Forwards the results of the batches in flight whose model calls are done, oldest first (a later batch that is done
     * waits for the earlier ones), and removes their texts from the store in the same transaction.
     */
    private void collect() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().outcomes().isDone()) {
            forward(inFlight.pollFirst());
        }
    }

    private void forward(InFlight done) {
        Outcomes outcomes = done.outcomes().join();
        pace.record(done.estimatedTokens(), outcomes.encoderTime());
        long changes = catalog.changes();
        if (matcher == null || changes != matcherChanges) {
            topics = topicDefinitions();
            matcher = TopicMatcher.of(topics);
            matcherChanges = changes;
        }
        Map<String, float[]> descriptionEmbeddings = descriptionEmbeddings(topics);
        for (int i = 0; i < done.raws().size(); i++) {
            KeyValue<String, PendingText> entry = done.entries().get(i);
            Outcome outcome = outcomes.perText()[i];
            if (!(outcome instanceof Scored scored)) {
                deadLetter(entry.key, entry.value, ScorerTopology.STAGE_ENCODE, ((Failed) outcome).reason());
            } else if (scored.result().tokens() == 0) {
                // Nothing a sentiment can be read from: counting it would add a neutral-looking text to the trends.
                deadLetter(entry.key, entry.value, ScorerTopology.STAGE_VALIDATE, NO_TOKENS);
            } else {
                RawText raw = done.raws().get(i);
                ScoredText text = scoredText(raw, scored.result(), matcher.match(raw, scored.result().embedding(), descriptionEmbeddings));
                // Event time, never the wall clock: a replay writes the same records with the same timestamps.
                context.forward(new Record<>(entry.key, text, raw.getPublishedAt().toEpochMilli()));
            }
        }
        metrics.batch(done.raws().size(), outcomes.tokens().real, outcomes.tokens().computed, outcomes.encoderTime(), done.waited(),
                pace.secondsPerToken());
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
        long encoderNanos;
    }

    /** Scores {@code texts} into {@code outcomes[offset..]}: an {@link EncoderResult}, or the reason it failed alone. */
    private void scoreInHalves(List<String> texts, Outcome[] outcomes, int offset, TokenCount tokens) {
        if (texts.isEmpty()) {
            return;
        }
        try {
            EncodedBatch batch = scorer.score(texts);
            tokens.real += batch.stats().realTokens();
            tokens.computed += batch.stats().paddedTokens();
            tokens.encoderNanos += batch.stats().tokenizationNanos() + batch.stats().inferenceNanos();
            for (int i = 0; i < texts.size(); i++) {
                outcomes[offset + i] = new Scored(batch.results().get(i));
            }
        } catch (RuntimeException e) {
            if (texts.size() == 1) {
                LOG.warnf("a text failed in the encoder on its own: %s", e.toString());
                outcomes[offset] = new Failed("encoder failed on this text alone: " + e);
                return;
            }
            LOG.warnf("encoder call of %d texts failed (%s); retrying in halves", texts.size(), e.toString());
            int half = texts.size() / 2;
            scoreInHalves(texts.subList(0, half), outcomes, offset, tokens);
            scoreInHalves(texts.subList(half, texts.size()), outcomes, offset + half, tokens);
        }
    }

    static String textOf(RawText raw) {
        return ModelText.of(raw.getTitle(), raw.getBody());
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
                .setUrl(raw.getUrl())
                .setBody(raw.getBody())
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
