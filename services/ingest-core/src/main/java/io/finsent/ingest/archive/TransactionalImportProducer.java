package io.finsent.ingest.archive;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/**
 * Publishes an import's batches, one transaction each, under a transactional id derived from its files. After a failure it waits for
 * the broker: a new producer with the same id fences the old one, which completes or aborts its open transaction; reading the
 * published keys on from the last position then shows what that transaction committed, and only the rest is sent again.
 */
final class TransactionalImportProducer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TransactionalImportProducer.class);

    private final ArchiveImport.Options options;
    private final String transactionalId;
    private KafkaProducer<byte[], byte[]> producer;

    /** Connects, waiting at most {@code wait} for the broker; fencing completes or aborts what an earlier run of these files left open. */
    TransactionalImportProducer(ArchiveImport.Options options, String transactionalId, Duration wait) throws InterruptedException {
        this.options = options;
        this.transactionalId = transactionalId;
        this.producer = initProducer(wait);
    }

    String transactionalId() {
        return transactionalId;
    }

    /**
     * Publishes the batch in one transaction, retrying after broker failures for at most the options' broker wait.
     *
     * @return the recoveries it took (0 when the first transaction committed)
     */
    int publish(ImportBatch batch, PublishedKeys published, ArchiveImport.Progress progress) throws InterruptedException {
        int recoveries = 0;
        long giveUpAt = System.nanoTime() + options.brokerWait().toNanos();
        while (true) {
            try {
                send(batch);
                return recoveries;
            } catch (ProducerFencedException | InvalidProducerEpochException e) {
                throw new ArchiveImportException("another import of the same files took over (transactional id " + transactionalId
                        + "); let it finish, or stop it and run this one again", e);
            } catch (AuthorizationException | UnsupportedVersionException | RecordTooLargeException | SerializationException e) {
                throw new ArchiveImportException("the broker refused the batch: " + e.getMessage(), e);
            } catch (KafkaException e) {
                recoveries++;
                String reason = e.getMessage() + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : "");
                if (System.nanoTime() > giveUpAt) {
                    throw new ArchiveImportException("a batch kept failing for " + options.brokerWait().toSeconds() + " s, the last time with: "
                            + reason + "; a later run of the same command resumes where this one stopped", e);
                }
                LOG.warnf("import %s: a transaction failed (%s); waiting for the broker to resume", transactionalId, reason);
                progress.recovering(reason);
                recover(batch, published);
                if (batch.isEmpty()) {
                    return recoveries;
                }
            }
        }
    }

    private void send(ImportBatch batch) {
        AtomicReference<Exception> failed = new AtomicReference<>();
        producer.beginTransaction();
        for (ProducerRecord<byte[], byte[]> record : batch.records()) {
            producer.send(record, (metadata, e) -> {
                if (e != null) {
                    failed.compareAndSet(null, e);
                }
            });
        }
        producer.commitTransaction();
        if (failed.get() != null) {
            // commitTransaction throws when a send failed; this is a second line of defence.
            throw new KafkaException("a record of the batch was not written: " + failed.get().getMessage(), failed.get());
        }
    }

    /** Fences the failed producer with a new one, then keeps in the batch only what did not commit. */
    private void recover(ImportBatch batch, PublishedKeys published) throws InterruptedException {
        producer.close(Duration.ZERO);
        producer = initProducer(options.brokerWait());
        published.catchUp(options.brokerWait());
        int size = batch.size();
        int committed = batch.dropPublished(published);
        LOG.infof("import %s: the broker is back; %d of %d records of the failed batch had committed", transactionalId, committed, size);
    }

    private KafkaProducer<byte[], byte[]> initProducer(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        KafkaException last = null;
        while (System.nanoTime() < deadline) {
            KafkaProducer<byte[], byte[]> candidate = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
            try {
                candidate.initTransactions();
                return candidate;
            } catch (KafkaException e) {
                last = e;
                candidate.close(Duration.ZERO);
                Thread.sleep(500);
            }
        }
        throw new ArchiveImportException("the broker at " + options.bootstrapServers() + " did not answer within "
                + wait.toSeconds() + " s (" + (last == null ? "no attempt" : last.getMessage())
                + "); start it (./monitor up) or pass --bootstrap-servers; a later run of the same command resumes where this one stopped", last);
    }

    private Properties producerConfig() {
        Properties p = new Properties();
        p.putAll(options.kafka().producer());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        // Short timeouts: a dead broker shows within seconds, and recover() takes over from there.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
        return p;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
