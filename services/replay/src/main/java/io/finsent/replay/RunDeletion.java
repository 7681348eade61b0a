package io.finsent.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import io.finsent.alerting.trends.TrendSettings;
import io.finsent.common.KafkaConnection;

/**
 * Removes a replay: its rows in the alerting tables, its topics, and its two applications' consumer groups and
 * internal topics. The run's records in the compacted {@code topic.trends} stay (the alerting sink owns that topic);
 * they are keyed by run, so they touch no other run.
 */
public final class RunDeletion {

    /** What was removed. */
    public record Result(String runId, List<String> topics, List<String> groups, Map<String, Integer> rows) {
    }

    private RunDeletion() {
    }

    /** @throws ReplayException for 'live', an unknown run, or an unreachable broker or database */
    public static Result delete(String bootstrap, String jdbcUrl, String jdbcUser, String runId) {
        return delete(KafkaConnection.to(bootstrap), jdbcUrl, jdbcUser, runId);
    }

    /** @throws ReplayException for 'live', an unknown run, or an unreachable or refusing broker or database */
    public static Result delete(KafkaConnection kafka, String jdbcUrl, String jdbcUser, String runId) {
        if (TrendSettings.LIVE.equals(runId)) {
            throw new ReplayException("refusing to delete run 'live': it is the live pipeline's, not a replay");
        }
        try (Admin admin = Kafka.admin(kafka)) {
            Kafka.checkReachable(admin, kafka.bootstrapServers());
            Set<String> all = Kafka.topics(admin);
            List<String> topics = new ArrayList<>();
            for (String topic : all) {
                if (topic.startsWith(RunTopics.prefix(runId)) || topic.startsWith(RunTopics.scorerApplication(runId) + "-")
                        || topic.startsWith(RunTopics.trendApplication(runId) + "-")) {
                    topics.add(topic);
                }
            }
            List<String> groups = new ArrayList<>();
            for (String group : List.of(RunTopics.scorerApplication(runId), RunTopics.trendApplication(runId))) {
                if (!Kafka.committed(admin, group).isEmpty()) {
                    groups.add(group);
                }
            }
            long rowsBefore = jdbcUrl == null ? 0 : RunDatabase.trendRowCount(jdbcUrl, jdbcUser, runId);
            if (topics.isEmpty() && groups.isEmpty() && rowsBefore == 0) {
                throw new ReplayException("no run '" + runId + "': no topics, consumer groups or trend rows carry that run id");
            }
            for (String group : groups) {
                try {
                    admin.deleteConsumerGroups(List.of(group)).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                        throw new ReplayException("cannot delete consumer group " + group + " (is the replay still running?): "
                                + e.getCause().getMessage(), e.getCause());
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new ReplayException("Kafka did not delete group " + group + " within 30 s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ReplayCancelledException("interrupted while deleting run " + runId);
                }
            }
            Kafka.deleteTopics(admin, topics);
            Map<String, Integer> rows = jdbcUrl == null ? Map.of() : RunDatabase.delete(jdbcUrl, jdbcUser, runId);
            return new Result(runId, topics.stream().sorted().toList(), groups, rows);
        }
    }
}
