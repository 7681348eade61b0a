package io.finsent.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;

import io.finsent.common.KafkaConnection;
import io.finsent.common.Topics;

/**
 * What a replay reads: the run's topics created, archive files staged into its raw topic (once), and the source's offset range, the
 * scorer group positioned at its start on a first run.
 *
 * @param source      the topic the run scores
 * @param fromFiles   the source is the run's raw topic, staged from archive files
 * @param resumed     the run had committed offsets: it goes on from them
 * @param staged      texts staged from the files by this call (0 when resumed or not from files)
 * @param scorerGroup the scoring application's consumer group
 * @param firsts      the first offset per partition at or after the range's start
 * @param ends        the source's end offsets now: the range ends there
 * @param total       records between {@code firsts} and {@code ends}
 */
record ReplayInput(String source, boolean fromFiles, boolean resumed, long staged, String scorerGroup, Map<TopicPartition, Long> firsts,
                   Map<TopicPartition, Long> ends, long total) {

    static ReplayInput prepare(Admin admin, ReplayOptions options, Replay.Listener listener) {
        String run = options.runId();
        KafkaConnection kafka = options.kafka();
        int partitions = Kafka.partitionsOf(admin, Topics.SCORED_TEXT.name(), 6);
        boolean fromFiles = !options.files().isEmpty();
        String source = fromFiles ? RunTopics.raw(run) : options.sourceTopic();
        if (!fromFiles && !Kafka.exists(admin, source)) {
            throw new ReplayException("the source topic " + source + " does not exist on " + options.bootstrapServers());
        }
        List<NewTopic> own = new ArrayList<>(List.of(runTopic(RunTopics.scored(run), partitions), runTopic(RunTopics.deadLetters(run), 1)));
        boolean stagingNeeded = false;
        if (fromFiles) {
            stagingNeeded = !Kafka.exists(admin, source);
            own.add(runTopic(source, partitions));
        }
        Kafka.create(admin, own);

        String scorerGroup = RunTopics.scorerApplication(run);
        boolean resumed = !Kafka.committed(admin, scorerGroup).isEmpty();
        long staged = 0;
        if (stagingNeeded) {
            if (resumed) {
                throw new ReplayException("run " + run + " has lost its raw topic; delete it (./monitor replay delete " + run + ") and start again");
            }
            listener.phase("staging " + options.files().size() + " archive file(s) into " + source);
            staged = ArchiveStaging.stage(options.files(), source, RunTopics.deadLetters(run), kafka, options.from(), options.to());
        } else if (fromFiles && !resumed && Kafka.endOffsets(kafka, source).values().stream().mapToLong(Long::longValue).sum() > 0) {
            throw new ReplayException("run " + run + " was stopped while staging its archive files; delete it (./monitor replay delete " + run
                    + ") and start again");
        }

        Map<TopicPartition, Long> firsts = Kafka.offsetsAt(kafka, source, options.from());
        if (!resumed) {
            Kafka.setCommitted(admin, scorerGroup, firsts);
        }
        Map<TopicPartition, Long> ends = Kafka.endOffsets(kafka, source);
        if (resumed) {
            // The end of the range is fixed at the first start, saved as the group's commit metadata would be fragile: a resumed run
            // reads to the current end, and texts after 'to' are skipped anyway.
            listener.phase("resuming run " + run + " from its committed offsets");
        }
        long total = 0;
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            total += Math.max(0, end.getValue() - firsts.getOrDefault(end.getKey(), end.getValue()));
        }
        return new ReplayInput(source, fromFiles, resumed, staged, scorerGroup, firsts, ends, total);
    }

    private static NewTopic runTopic(String name, int partitions) {
        // Records keep their event time, often years old: kept by size, never by age (as text.raw).
        return new NewTopic(name, partitions, (short) -1).configs(Map.of("retention.ms", "-1", "retention.bytes", "10737418240"));
    }
}
