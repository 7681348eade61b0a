package io.finsent.alerting.service;

import javax.sql.DataSource;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jdbi.v3.core.Jdbi;

import io.finsent.alerting.store.AlertingStore;

/** The alerting store over the service's connection pool: one {@link Jdbi} for the sink, the dispatcher and the API. */
public class StoreProducer {

    @Produces
    @Singleton
    Jdbi jdbi(DataSource dataSource) {
        return AlertingStore.jdbi(dataSource);
    }
}
