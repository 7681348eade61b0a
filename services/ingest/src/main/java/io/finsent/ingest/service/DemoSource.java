package io.finsent.ingest.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.finsent.ingest.ItemValidation;
import io.finsent.ingest.demo.DemoStream;
import io.quarkus.scheduler.Scheduled;

/**
 * The demo source ({@code ingest.demo.enabled=true}): publishes {@link DemoStream} items in real time, with the scripted
 * negative surge, so the pipeline moves without any feed. It starts {@code ingest.demo.backfill} before the service
 * and publishes that history at once, so rules have baselines from the first minute (with the defaults a surge began
 * three minutes before the start and fires in the first minute). A restarted source publishes nothing dated at or before
 * the newest demo item already in {@code text.raw}: a second stream over minutes the first one filled would double them.
 */
@ApplicationScoped
public class DemoSource {

    private static final Logger LOG = Logger.getLogger(DemoSource.class);

    private final IngestConfig.Demo config;
    private final RawTextPublisher publisher;
    private final Clock clock = Clock.systemUTC();
    private final ItemValidation validation;
    private DemoStream stream;
    /** Items dated at or before this are not published (what an earlier run of the source filled). */
    private Instant resumeAfter;
    private long published;
    private long skipped;

    DemoSource(IngestConfig config, RawTextPublisher publisher) {
        this.validation = new ItemValidation(config.itemRules(clock));
        this.config = config.demo();
        this.publisher = publisher;
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "demo-source")
    synchronized void tick() {
        if (!config.enabled() || !publisher.seeded()) {
            return; // until the start-up read of text.raw says where an earlier run stopped
        }
        Instant now = clock.instant();
        if (stream == null) {
            stream = open(now);
        }
        while (!stream.peekTime().isAfter(now)) {
            DemoStream.DemoItem demo = stream.next();
            if (resumeAfter != null && !demo.item().publishedAt().isAfter(resumeAfter)) {
                skipped++;
                continue;
            }
            if (validation.check(demo.item()) instanceof ItemValidation.Valid valid) {
                publisher.publish(valid.item());
                published++;
            }
        }
    }

    private DemoStream open(Instant now) {
        Instant start = config.start().orElse(now.minus(config.backfill()).truncatedTo(ChronoUnit.MINUTES));
        DemoStream.Script script = new DemoStream.Script(config.surgeTicker(), config.cycle(), config.surgeStart(), config.surgeLength(),
                config.itemsPerMinute(), config.surgeFactor());
        DemoStream demo = new DemoStream(config.seed(), start, script);
        resumeAfter = publisher.latestDemoAtStart().filter(latest -> latest.isAfter(start)).orElse(null);
        LOG.infof("demo source on from %s: %.0f items a minute over %d tickers, a negative surge on %s from minute %d to %d of every %d; "
                        + "the next surge starts at %s%s",
                start, config.itemsPerMinute(), DemoStream.tickers().size(), config.surgeTicker(), script.surgeStart().toMinutes(),
                script.surgeStart().plus(script.surgeLength()).toMinutes(), script.cycle().toMinutes(), demo.nextSurge(now),
                resumeAfter == null ? "" : "; nothing dated at or before " + resumeAfter + " (the newest demo item in text.raw, an earlier run's) is published");
        return demo;
    }

    /** The native id of the n-th item of the running stream (null before the first tick). */
    synchronized String nativeId(long n) {
        return stream == null ? null : stream.nativeId(n);
    }

    synchronized long published() {
        return published;
    }

    /** The script's start (null before the first tick). */
    synchronized Instant start() {
        return stream == null ? null : stream.start();
    }

    /** Items dated at or before this are not published (null: all are). */
    synchronized Instant resumeAfter() {
        return resumeAfter;
    }

    /** Items not published because an earlier run of the source had filled their minutes. */
    synchronized long skipped() {
        return skipped;
    }

    Duration uptime() {
        return stream == null ? Duration.ZERO : Duration.between(stream.peekTime(), clock.instant());
    }
}
