package io.finsent.scorer.replay;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.replay.ReplayReport;
import io.quarkus.jackson.ObjectMapperCustomizer;

/** The replay report in the API under the same snake_case names as {@code ./monitor replay --json} ({@link ReplayReport#toMap()}). */
@Singleton
public class ReplayJson implements ObjectMapperCustomizer {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    private abstract static class SnakeCase {
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.addMixIn(ReplayReport.class, SnakeCase.class);
    }
}
