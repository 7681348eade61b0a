package io.finsent.ingest.archive;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.producer.ProducerRecord;

import io.finsent.common.Topics;

/** The records of one import transaction, each with its key (an item id or a dead letter's key): raw texts and dead letters. */
final class ImportBatch {

    private final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();

    void add(ProducerRecord<byte[], byte[]> record, String key) {
        records.add(record);
        keys.add(key);
    }

    List<ProducerRecord<byte[], byte[]>> records() {
        return records;
    }

    List<String> keys() {
        return keys;
    }

    int size() {
        return records.size();
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    /** Records bound for the raw topic; the rest are dead letters. */
    long rawTexts() {
        return records.stream().filter(r -> r.topic().equals(Topics.RAW_TEXT.name())).count();
    }

    long deadLetters() {
        return size() - rawTexts();
    }

    /** Drops what {@code published} already holds (what a failed transaction committed after all). @return records dropped */
    int dropPublished(PublishedKeys published) {
        int before = size();
        for (int i = size() - 1; i >= 0; i--) {
            if (published.contains(keys.get(i))) {
                records.remove(i);
                keys.remove(i);
            }
        }
        return before - size();
    }

    void clear() {
        records.clear();
        keys.clear();
    }
}
