package io.finsent.replay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;


import io.finsent.common.KafkaConnection;
import io.finsent.common.Topics;
import io.finsent.schema.TopicTrendWindow;

/** The trend windows of one run in {@code topic.trends} (read_committed; the last record per key). */
public final class TrendRecords {

    private TrendRecords() {
    }

    /**
     * @param from first window start taken, or null
     * @param to   window starts from this one on are left out, or null
     * @return windows by topic, then window start
     */
    public static List<TopicTrendWindow> read(String bootstrap, String runId, Instant from, Instant to) {
        return read(KafkaConnection.to(bootstrap), runId, from, to);
    }

    /** {@link #read(String, String, Instant, Instant)} with client settings. */
    public static List<TopicTrendWindow> read(KafkaConnection kafka, String runId, Instant from, Instant to) {
        String prefix = runId + "|";
        Map<String, TopicTrendWindow> byKey = new TreeMap<>();
        Kafka.readAll(kafka, Topics.TOPIC_TRENDS.name(), r -> {
            String key = r.key() == null ? "" : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
            if (!key.startsWith(prefix)) {
                return;
            }
            if (r.value() == null) {
                byKey.remove(key);
                return;
            }
            TopicTrendWindow w = Topics.TOPIC_TRENDS.valueSerde().deserializer().deserialize(r.topic(), r.value());
            if ((from == null || !w.getWindowStart().isBefore(from)) && (to == null || w.getWindowStart().isBefore(to))) {
                byKey.put(key, w);
            }
        });
        List<TopicTrendWindow> windows = new ArrayList<>(byKey.values());
        windows.sort(Comparator.comparing(TopicTrendWindow::getTopic).thenComparing(TopicTrendWindow::getWindowSizeMs)
                .thenComparing(TopicTrendWindow::getWindowStart));
        return windows;
    }
}
