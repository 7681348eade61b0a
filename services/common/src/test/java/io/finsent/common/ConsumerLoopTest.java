package io.finsent.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop's lifecycle without a broker: a stop wakes a long poll and is no crash; a body that throws is one. */
@Timeout(60)
class ConsumerLoopTest {

    private static Properties nowhere() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "consumer-loop-test");
        return p;
    }

    @Test
    void stopWakesAPollAndIsNotACrash() throws Exception {
        CountDownLatch polling = new CountDownLatch(1);
        ConsumerLoop loop = new ConsumerLoop("test-loop", "nothing", nowhere(), c -> {
            c.subscribe(java.util.List.of("t"));
            while (true) {
                polling.countDown();
                c.poll(Duration.ofMinutes(5));
            }
        });
        loop.start(true);
        assertThat(polling.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.alive()).isTrue();
        Thread.sleep(200);

        long started = System.nanoTime();
        loop.stop(Duration.ofSeconds(20));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        assertThat(loop.running()).isFalse();
        assertThat(loop.alive()).isFalse();
        assertThat(loop.crash()).isNull();
    }

    @Test
    void aBodyThatThrowsIsKeptAsTheCrash() throws Exception {
        ConsumerLoop loop = new ConsumerLoop("test-loop", "nothing", nowhere(), c -> {
            throw new IllegalStateException("broken");
        });
        loop.start(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (loop.crash() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(loop.crash()).hasMessage("broken");
        assertThat(loop.alive()).isFalse();
        assertThat(loop.running()).isTrue();
        loop.stop(Duration.ofSeconds(5));
    }
}
