package io.finsent.alerting.trends;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.finsent.common.DeadLetters;
import io.finsent.schema.TopicTrendWindow;

/**
 * Tumbling event-time windows per topic, closed by watermarks rather than by the largest timestamp seen.
 * Each partition of the scored topic sends its event time to every window task; the task's watermark is
 * the smallest of them, so a window closes (and is emitted once, in window order) only when every source
 * partition has passed its end plus the grace. A backlog read unevenly across partitions (a backfill, a
 * replay, a scorer catching up) therefore loses nothing: only a text later than the grace within its own
 * partition is late, and it becomes a dead letter (stage {@code alerting.late}) with its original bytes.
 *
 * <p>Open windows and the source watermarks live in changelogged stores: a restart resumes exactly.
 */
final class TrendWindows implements Processor<String, TopicMention, String, Object> {

    /** Stored for a source partition that said it is idle. */
    private static final long IDLE = Long.MAX_VALUE;

    private final TrendSettings settings;
    private final long sizeMs;
    private final long graceMs;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, TrendTally> windows;
    private KeyValueStore<Integer, Long> watermarks;
    private long watermark;
    private final long idleAfterMs;
    /** Told of each text dead-lettered as late (a metric: a retried transaction may tell it twice). */
    private final Runnable lateText;
    /** When (wall clock) a quiet partition last came back; a restart counts as one. */
    private long lastResume;

    TrendWindows(TrendSettings settings, Runnable lateText) {
        this.settings = settings;
        this.lateText = lateText;
        this.sizeMs = settings.windowSize().toMillis();
        this.graceMs = settings.grace().toMillis();
        this.idleAfterMs = settings.idleAfter().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.windows = context.getStateStore(TrendTopology.WINDOW_STORE);
        this.watermarks = context.getStateStore(TrendTopology.WATERMARK_STORE);
        this.watermark = lowest();
        this.lastResume = context.currentSystemTimeMs();
    }

    @Override
    public void process(Record<String, TopicMention> record) {
        TopicMention mention = record.value();
        if (mention.isIdle()) {
            idle(mention.originPartition(), mention.scoreNanos());
            return;
        }
        if (mention.isWatermark()) {
            advance(mention.originPartition(), record.timestamp());
            return;
        }
        long timestamp = record.timestamp();
        long start = timestamp - Math.floorMod(timestamp, sizeMs);
        if (closed(start)) {
            late(record, start);
            return;
        }
        String key = windowKey(start, record.key());
        TrendTally tally = windows.get(key);
        windows.put(key, (tally == null ? new TrendTally() : tally).add(mention));
    }

    private boolean closed(long windowStart) {
        return watermark != Long.MIN_VALUE && windowStart + sizeMs + graceMs <= watermark;
    }

    private void advance(int partition, long time) {
        if (partition < 0 || partition >= settings.sourcePartitions()) {
            return; // not one of the partitions this run reads: cannot hold a window open or close one
        }
        Long known = watermarks.get(partition);
        if (known != null && known == IDLE) {
            // A quiet partition is back: every other quiet one gets a full idle period again before it stops
            // holding windows, so a backlog resuming unevenly (a restarted scorer) makes no late texts.
            lastResume = context.currentSystemTimeMs();
            for (int p = 0; p < settings.sourcePartitions(); p++) {
                Long other = watermarks.get(p);
                if (p != partition && other != null && other == IDLE) {
                    watermarks.delete(p); // holds again until it sends, or stays quiet a full idle period more
                }
            }
        } else if (known != null && known >= time) {
            return;
        }
        watermarks.put(partition, time);
        closeUpTo(lowest());
    }

    private void idle(int partition, long quietSince) {
        if (partition < 0 || partition >= settings.sourcePartitions()) {
            return;
        }
        if (context.currentSystemTimeMs() - Math.max(quietSince, lastResume) < idleAfterMs) {
            return; // quiet, but not for a full idle period since the last partition came back: it still holds
        }
        watermarks.put(partition, IDLE);
        closeUpTo(lowest());
    }

    /** Moves the watermark forward (never back: a window is emitted once) and emits what closed. */
    private void closeUpTo(long lowest) {
        if (lowest <= watermark) {
            return;
        }
        watermark = lowest;
        // Keys sort by window start, then topic: emit every window that has closed, oldest first.
        List<KeyValue<String, TrendTally>> due = new ArrayList<>();
        try (KeyValueIterator<String, TrendTally> all = windows.all()) {
            while (all.hasNext()) {
                KeyValue<String, TrendTally> entry = all.next();
                if (!closed(startOf(entry.key))) {
                    break;
                }
                due.add(entry);
            }
        }
        for (KeyValue<String, TrendTally> entry : due) {
            long start = startOf(entry.key);
            String topic = entry.key.substring(entry.key.indexOf('|') + 1);
            TopicTrendWindow window = entry.value.toWindow(settings.runId(), topic, start, sizeMs);
            context.forward(new Record<String, Object>(new TrendKey(settings.runId(), topic, start, sizeMs).toString(), window,
                    start + sizeMs - 1));
            windows.delete(entry.key);
        }
    }

    /**
     * The smallest watermark over the source partitions; {@link Long#MIN_VALUE} until each has sent one, or when all
     * are idle. An idle partition counts as the wall clock less the idle period: a backlog far behind the wall clock
     * (a replay, a scorer catching up) is not held by it, and a live partition that comes back after a quiet spell
     * finds open every window its texts can still be in (a feed polled every few minutes brings texts minutes old).
     */
    private long lowest() {
        long lowest = Long.MAX_VALUE;
        boolean sending = false;
        long quiet = context.currentSystemTimeMs() - idleAfterMs;
        for (int p = 0; p < settings.sourcePartitions(); p++) {
            Long time = watermarks.get(p);
            if (time == null) {
                return Long.MIN_VALUE;
            }
            sending |= time != IDLE;
            lowest = Math.min(lowest, time == IDLE ? quiet : time);
        }
        return sending ? lowest : Long.MIN_VALUE;
    }

    private void late(Record<String, TopicMention> record, long start) {
        TopicMention mention = record.value();
        long end = start + sizeMs;
        String reason = "late for topic '" + record.key() + "': record time " + Instant.ofEpochMilli(record.timestamp()) + " falls in window ["
                + Instant.ofEpochMilli(start) + ", " + Instant.ofEpochMilli(end) + "), closed since every partition of "
                + settings.scoredTopic() + " passed " + Instant.ofEpochMilli(watermark) + " (window end plus grace " + graceMs
                + " ms); not counted in any trend window (re-drive it in a replay run, or raise the grace)";
        context.forward(new Record<String, Object>(mention.itemKey(), DeadLetters.of(TrendTopology.STAGE_LATE, reason, mention.itemKey(),
                mention.original(), mention.originTopic(), mention.originPartition() < 0 ? null : mention.originPartition(),
                mention.originOffset() < 0 ? null : mention.originOffset(), record.timestamp()), record.timestamp()));
        lateText.run();
    }

    /** Window start (zero-padded, so keys sort by time; starts are never negative) and topic. */
    static String windowKey(long start, String topic) {
        return String.format("%019d|%s", start, topic);
    }

    private static long startOf(String key) {
        return Long.parseLong(key.substring(0, key.indexOf('|')));
    }
}
