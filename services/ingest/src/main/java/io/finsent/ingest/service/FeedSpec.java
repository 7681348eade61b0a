package io.finsent.ingest.service;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.finsent.common.StorableText;

/**
 * A feed as its owner gives it: the URL and, optionally, the poll interval, tickers given to every entry and a name
 * (the items' source). From {@code POST /v1/feeds} or a line of the feeds file; {@link FeedPoller#add} checks it.
 *
 * @param interval null: the default ({@code ingest.feeds.poll-interval})
 * @param name     null: the items' source is the feed's URL without user info and query
 */
public record FeedSpec(String url, Duration interval, List<String> tickers, String name) {

    private static final Pattern OPTION = Pattern.compile("\\G\\s+([a-z]+)=(?:\"([^\"]*)\"|([^\\s\"]+))");

    public FeedSpec {
        tickers = tickers == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(tickers)); // nulls are the poller's to refuse
    }

    static FeedSpec of(String url, Duration interval) {
        return new FeedSpec(url, interval, List.of(), null);
    }

    /**
     * One line of the feeds file: the URL, then optionally {@code interval=PT5M}, {@code tickers=AAPL,MSFT} and
     * {@code name="Apple newsroom"} (quotes for a name with spaces), in any order.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static FeedSpec parseLine(String line) {
        String text = line.strip();
        int end = 0;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        String url = text.substring(0, end);
        Duration interval = null;
        List<String> tickers = List.of();
        String name = null;
        Matcher m = OPTION.matcher(text);
        int at = end;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("after the URL, expected interval=PT5M, tickers=AAPL,MSFT or name=\"...\" but found '"
                        + StorableText.abbreviated(text.substring(at).strip(), 60) + "'");
            }
            String value = m.group(2) != null ? m.group(2) : m.group(3);
            switch (m.group(1)) {
                case "interval" -> interval = interval(value);
                case "tickers" -> tickers = new ArrayList<>(Arrays.stream(value.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList());
                case "name" -> name = value;
                default -> throw new IllegalArgumentException("unknown option '" + StorableText.abbreviated(m.group(1), 40)
                        + "': a feed takes interval, tickers and name");
            }
            at = m.end();
        }
        return new FeedSpec(url, interval, tickers, name);
    }

    /** An ISO-8601 duration such as PT5M. */
    static Duration interval(String text) {
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("interval '" + StorableText.abbreviated(text, 100) + "' is not an ISO-8601 duration such as PT5M");
        }
    }
}
