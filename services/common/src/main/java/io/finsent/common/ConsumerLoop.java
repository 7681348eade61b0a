package io.finsent.common;

import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * A plain Kafka consumer on a thread of its own, for a service's hand-run loops (the trend sink, the alert stream): the consumer is
 * created on the thread and closed when the body returns; {@link #stop} wakes it from a poll and waits for the thread. A body that
 * throws, or a wake-up while still running, ends the loop and is kept as its {@link #crash()}.
 */
public final class ConsumerLoop {

    /** What the loop does with its consumer: poll and handle records while {@link ConsumerLoop#running()}. */
    @FunctionalInterface
    public interface Body {
        void run(KafkaConsumer<byte[], byte[]> consumer) throws InterruptedException;
    }

    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);

    private final String name;
    private final String ifItStops;
    private final Properties config;
    private final Body body;
    private volatile boolean running;
    private volatile Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Throwable crash;

    /**
     * @param name      the thread's name
     * @param ifItStops what a crash means for the service's users, logged with it (e.g. "restart the service")
     */
    public ConsumerLoop(String name, String ifItStops, Properties config, Body body) {
        this.name = name;
        this.ifItStops = ifItStops;
        this.config = config;
        this.body = body;
    }

    public void start(boolean daemon) {
        running = true;
        Thread t = new Thread(this::loop, name);
        t.setDaemon(daemon);
        thread = t;
        t.start();
    }

    /** False once {@link #stop} was called: the body should return. */
    public boolean running() {
        return running;
    }

    /** Whether the thread is still there and nothing crashed it. */
    public boolean alive() {
        Thread t = thread;
        return t != null && t.isAlive() && crash == null;
    }

    /** What ended the loop while it should have run, or null. */
    public Throwable crash() {
        return crash;
    }

    /** Ends the loop (waking the consumer from a poll) and waits for its thread at most {@code join}. */
    public void stop(Duration join) throws InterruptedException {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null) {
            t.join(join.toMillis());
        }
    }

    private void loop() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            if (running) {
                body.run(c);
            }
        } catch (WakeupException e) {
            if (running) {
                crash = e;
                LOG.errorf(e, "%s woken up while running; %s", name, ifItStops);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            crash = e;
            LOG.errorf(e, "%s stopped: %s; %s", name, e.getMessage(), ifItStops);
        } finally {
            consumer = null;
        }
    }
}
