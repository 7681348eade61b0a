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
 * The demo source ({@code ingest.demo.enabled=true}): publishes {@link DemoStream} items in real time
 * from the service's start, with the scripted negative surge, so the pipeline moves without any feed.
 */
@ApplicationScoped
public class DemoSource {

    private static final Logger LOG = Logger.getLogger(DemoSource.class);

    private final IngestConfig.Demo config;
    private final RawTextPublisher publisher;
    private final Clock clock = Clock.systemUTC();
    private final ItemValidation validation;
    private DemoStream stream;
    private long published;

    DemoSource(IngestConfig config, RawTextPublisher publisher) {
        this.validation = new ItemValidation(config.itemRules(clock));
        this.config = config.demo();
        this.publisher = publisher;
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "demo-source")
    synchronized void tick() {
        if (!config.enabled()) {
            return;
        }
        Instant now = clock.instant();
        if (stream == null) {
            stream = open(now);
        }
        while (!stream.peekTime().isAfter(now)) {
            DemoStream.DemoItem demo = stream.next();
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
        LOG.infof("demo source on from %s: %.0f items a minute over %d tickers, a negative surge on %s from minute %d to %d of every %d",
                start, config.itemsPerMinute(), DemoStream.tickers().size(), config.surgeTicker(), script.surgeStart().toMinutes(),
                script.surgeStart().plus(script.surgeLength()).toMinutes(), script.cycle().toMinutes());
        return new DemoStream(config.seed(), start, script);
    }

    /** The native id of the n-th item of the running stream (null before the first tick). */
    synchronized String nativeId(long n) {
        return stream == null ? null : stream.nativeId(n);
    }

    synchronized long published() {
        return published;
    }

    Duration uptime() {
        return stream == null ? Duration.ZERO : Duration.between(stream.peekTime(), clock.instant());
    }
}
