package io.finsent.scoring;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import io.finsent.common.Topics;
import io.finsent.schema.TopicDefinition;

/**
 * Keeps the global store of topic definitions in step with the compacted topic-definition topic: a
 * record adds or replaces a topic, a tombstone deletes it, so topics change with no restart. A
 * definition that cannot be read is logged and skipped (the admin API validates before publishing).
 */
final class TopicDefinitionUpdater implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = Logger.getLogger(TopicDefinitionUpdater.class);

    private final TopicCatalog catalog;
    private KeyValueStore<String, TopicDefinition> store;

    TopicDefinitionUpdater(TopicCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(ScorerTopology.TOPIC_DEFINITIONS);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            LOG.warn("ignoring a topic definition with a null key");
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            catalog.changed();
            return;
        }
        try {
            TopicDefinition definition = Topics.TOPIC_CONFIG.valueSerde().deserializer().deserialize(Topics.TOPIC_CONFIG.name(), record.value());
            store.put(record.key(), definition);
            catalog.changed();
        } catch (SerializationException e) {
            LOG.warnf("ignoring unreadable definition of topic '%s': %s", record.key(), e.getMessage());
        }
    }
}
