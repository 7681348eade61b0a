package io.finsent.alerting.rules;

import io.finsent.alerting.trends.TrendPoint;

/** What a baseline keeps of one window: no start time, as the statistics never use it. */
record WindowSample(long count, long negative, double meanScore, double scoreStddev) {

    static WindowSample of(TrendPoint w) {
        return new WindowSample(w.count(), w.negative(), w.meanScore(), w.scoreStddev());
    }
}
