package io.finsent.common;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates topics and returns only once every partition's leader serves requests, so that the first write cannot be lost.
 *
 * <p>createTopics returns when the controller has the topics; the broker learns of them later, and its metadata cache
 * names a leader before its replica manager leads the partition. An idempotent producer that writes in that gap gets
 * NOT_LEADER_OR_FOLLOWER for its first request while a second one is appended, and then OUT_OF_ORDER_SEQUENCE_NUMBER on
 * every retry of the first until delivery.timeout.ms expires its records (KAFKA-15591, fixed after Kafka 4.1; seen here
 * as 16 records of one partition expired in CI). A ListOffsets request goes through the same replica-manager check as a
 * produce request, and the admin client retries it until the leader answers: once it answers for every partition, a
 * write cannot meet that gap.
 */
public final class TopicCreation {

    private TopicCreation() {
    }

    /** A topic could not be created or its partitions did not come up in time; the message says which and why. */
    public static final class TopicCreationException extends RuntimeException {
        TopicCreationException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Creates every topic that does not exist yet (one that does is left as it is) and waits until each partition of
     * each topic answers at its leader.
     *
     * @throws TopicCreationException when the broker refuses a topic or does not answer within {@code timeout}
     * @throws InterruptedException when interrupted while waiting
     */
    public static void createAndAwait(Admin admin, Collection<NewTopic> topics, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (var entry : admin.createTopics(topics).values().entrySet()) {
            try {
                entry.getValue().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new TopicCreationException("cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new TopicCreationException("Kafka did not create topic " + entry.getKey() + " within " + timeout.toSeconds() + " s", e);
            }
        }
        awaitServed(admin, topics.stream().map(NewTopic::name).toList(), deadline, timeout);
    }

    private static void awaitServed(Admin admin, List<String> names, long deadline, Duration timeout) throws InterruptedException {
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                admin.describeTopics(names).allTopicNames().get(remainingMs(deadline), TimeUnit.MILLISECONDS).values()
                        .forEach(t -> t.partitions().forEach(p -> partitions.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest())));
                admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs((int) Math.max(1, remainingMs(deadline))))
                        .all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new TopicCreationException(notServed(names, timeout) + ": " + e.getCause().getMessage(), e.getCause());
                }
                Thread.sleep(100); // the broker has not caught up with the controller yet
            } catch (TimeoutException e) {
                throw new TopicCreationException(notServed(names, timeout), e);
            }
        }
    }

    private static String notServed(List<String> names, Duration timeout) {
        return "the partitions of " + names + " are not served by a leader within " + timeout.toSeconds() + " s; is the broker overloaded?";
    }

    private static long remainingMs(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
