package io.finsent.scoring;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What the scorer reports to Prometheus: throughput, batches, padding, encoder latency and pace, buffering, the stream
 * thread's waits, resumed tasks, dead letters.
 */
public final class ScorerMetrics {

    private final MeterRegistry registry;
    private final Counter scored;
    private final DistributionSummary batchTexts;
    private final DistributionSummary batchTokens;
    private final DistributionSummary realTokenShare;
    private final Timer encoderLatency;
    private final Timer bufferWait;
    private final Counter realTokens;
    private final Counter computedTokens;
    private final Timer streamThreadWait;
    private final Counter bufferedPastLimit;
    private final Counter tasksResumed;
    private final AtomicLong secondsPerTokenBits = new AtomicLong(Double.doubleToLongBits(Double.NaN));

    public ScorerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.scored = Counter.builder("finsent.scorer.texts.scored").description("texts scored").register(registry);
        this.batchTexts = DistributionSummary.builder("finsent.scorer.batch.texts").description("texts per flushed batch").register(registry);
        this.batchTokens = DistributionSummary.builder("finsent.scorer.batch.tokens").description("tokens computed per flushed batch, padding included").register(registry);
        this.realTokenShare = DistributionSummary.builder("finsent.scorer.batch.real.token.share").description("share of computed tokens that are real, not padding").register(registry);
        this.encoderLatency = Timer.builder("finsent.scorer.encoder.latency").description("time of one encoder call")
                .publishPercentileHistogram().register(registry);
        this.bufferWait = Timer.builder("finsent.scorer.buffer.wait").description("time the oldest text of a batch waited in the buffer").register(registry);
        this.realTokens = Counter.builder("finsent.scorer.tokens.real").description("real tokens computed by the encoder").register(registry);
        this.computedTokens = Counter.builder("finsent.scorer.tokens.computed").description("tokens computed by the encoder, padding included").register(registry);
        this.streamThreadWait = Timer.builder("finsent.scorer.stream.thread.wait")
                .description("time a stream thread waited for a model call (at most scorer.stream-thread-wait between commits)").register(registry);
        this.bufferedPastLimit = Counter.builder("finsent.scorer.buffered.past.limit")
                .description("texts buffered past a task's limit (its call and two batches) because the stream thread's wait budget was spent")
                .register(registry);
        this.tasksResumed = Counter.builder("finsent.scorer.tasks.resumed")
                .description("tasks that started with texts in their buffer (after a crash, a fencing or a rebalance mid-call)").register(registry);
        Gauge.builder("finsent.scorer.encoder.seconds.per.token", secondsPerTokenBits, bits -> Double.longBitsToDouble(bits.get()))
                .description("measured encoder time per estimated token, which cuts batches to scorer.call-budget").register(registry);
    }

    void batch(int texts, long real, long computed, Duration encoderTime, Duration oldestWaited, double secondsPerToken) {
        secondsPerTokenBits.set(Double.doubleToLongBits(secondsPerToken));
        scored.increment(texts);
        realTokens.increment(real);
        computedTokens.increment(computed);
        double realShare = computed == 0 ? 1.0 : (double) real / computed;
        batchTexts.record(texts);
        batchTokens.record(computed);
        realTokenShare.record(realShare);
        encoderLatency.record(encoderTime);
        bufferWait.record(oldestWaited);
    }

    /** Share of real tokens in everything the encoder computed so far. */
    public double realTokenShare() {
        return computedTokens.count() == 0 ? 1.0 : realTokens.count() / computedTokens.count();
    }

    public long textsScored() {
        return (long) scored.count();
    }

    void streamThreadWaited(Duration waited) {
        streamThreadWait.record(waited);
    }

    void bufferedPastLimit() {
        bufferedPastLimit.increment();
    }

    void taskResumed() {
        tasksResumed.increment();
    }

    /** Tasks that started with buffered texts: each is a batch scored again after a crash, a fencing or a rebalance mid-call. */
    public long tasksResumed() {
        return (long) tasksResumed.count();
    }

    void deadLetter(String stage) {
        registry.counter("finsent.scorer.dead.letters", "stage", stage).increment();
    }
}
