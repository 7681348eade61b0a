package io.finsent.ingest.service;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rometools.rome.feed.synd.SyndCategory;
import com.rometools.rome.feed.synd.SyndContent;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.io.FeedException;
import com.rometools.rome.io.SyndFeedInput;
import com.rometools.rome.io.XmlReader;
import org.jdom2.Element;

import io.finsent.common.Backoff;
import io.finsent.common.StorableText;
import io.finsent.ingest.DeadLetters;
import io.finsent.ingest.IncomingItem;
import io.finsent.ingest.ItemNormaliser;
import io.finsent.ingest.ItemValidation;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Polls RSS 2.0 and Atom feeds (Rome) on a schedule: each feed at its interval, with a conditional GET,
 * and after failures with exponential backoff (base doubling per failure, capped). Entries become items
 * (id: source + guid or link); entries that fail validation and bodies that are not a feed go to the
 * dead-letter topic with the reason; fetch failures (HTTP errors, timeouts, redirect loops, size cap)
 * show in the feed's status. The feed list comes from a file at start and from the REST API.
 */
@ApplicationScoped
public class FeedPoller {

    private static final Logger LOG = Logger.getLogger(FeedPoller.class);
    /** Elements holding one ticker, by namespace: Seeking Alpha's sa:symbol, NASDAQ Trader's ndaq:IssueSymbol. */
    private static final Map<String, Set<String>> TICKER_ELEMENTS = Map.of("https://seekingalpha.com/api/1.0", Set.of("symbol"),
            "http://www.nasdaqtrader.com/", Set.of("IssueSymbol"));
    private static final String FEEDBURNER = "http://rssnamespace.org/feedburner/ext/1.0";
    private static final Pattern CATEGORY_TICKER = Pattern.compile("^(?:\\$|[A-Za-z]{2,10}:)([A-Za-z][A-Za-z0-9.\\-]{0,11})$");

    private final IngestConfig.Feeds config;
    private final RawTextPublisher publisher;
    private final FeedFetcher fetcher;
    private final Clock clock = Clock.systemUTC();
    private final ItemValidation validation;
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();

    FeedPoller(IngestConfig config, RawTextPublisher publisher) {
        this.validation = new ItemValidation(config.itemRules(clock));
        this.config = config.feeds();
        this.publisher = publisher;
        this.fetcher = new FeedFetcher(this.config.timeout(), this.config.maxBytes(), this.config.maxRedirects());
    }

    void onStart(@Observes StartupEvent start) {
        Optional<java.nio.file.Path> file = config.file();
        if (file.isEmpty()) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file.get(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the feed list ingest.feeds.file=" + file.get() + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                add(line, null);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(file.get() + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        LOG.infof("%d feeds from %s", feeds.size(), file.get());
    }

    /**
     * Elements nested deeper than this make a feed's document refused ("not an RSS or Atom feed"), before a deep
     * {@code <content type="xhtml">} can overflow the stack of Rome's tree builder. Set as the JDK's
     * {@code jdk.xml.maxElementDepth} unless the JVM was started with one.
     */
    static final int MAX_ELEMENT_DEPTH = 256;

    static {
        if (System.getProperty("jdk.xml.maxElementDepth") == null) {
            System.setProperty("jdk.xml.maxElementDepth", Integer.toString(MAX_ELEMENT_DEPTH));
        }
    }

    /** Longer URLs are refused (the common limit of browsers and servers). */
    static final int MAX_URL_CHARS = 2048;
    /** Shorter poll intervals are refused: no feed changes that often, and its server would see a flood. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
    /** Longer poll intervals are refused: a feed polled less than daily is not a live source. */
    static final Duration MAX_INTERVAL = Duration.ofDays(1);

    /** Adds a feed (or changes its interval); it is polled at the next tick. */
    public FeedStatus add(String url, Duration interval) {
        String shown = StorableText.abbreviated(url, 100);
        if (url.length() > MAX_URL_CHARS) {
            throw new IllegalArgumentException("a URL of " + url.length() + " characters, more than " + MAX_URL_CHARS + ": '" + shown + "'");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + shown + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + shown + "' is not an absolute http or https URL with a host");
        }
        if (uri.getPort() > 65_535) {
            throw new IllegalArgumentException("'" + shown + "' is not a URL: port " + uri.getPort() + " is out of range");
        }
        if (interval != null && (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0)) {
            throw new IllegalArgumentException("the poll interval must be between " + MIN_INTERVAL + " and " + MAX_INTERVAL + " (10 s and a day), got "
                    + interval);
        }
        Feed feed = feeds.compute(uri.toString(), (k, existing) -> {
            Feed f = existing != null ? existing : new Feed(uri, clock.instant());
            f.interval = interval != null ? interval : config.pollInterval();
            return f;
        });
        return feed.status();
    }

    public boolean remove(String url) {
        return feeds.remove(url) != null;
    }

    public List<FeedStatus> statuses() {
        return feeds.values().stream().map(Feed::status).sorted(Comparator.comparing(FeedStatus::url)).toList();
    }

    public Optional<FeedStatus> status(String url) {
        return Optional.ofNullable(feeds.get(url)).map(Feed::status);
    }

    @Scheduled(every = "${ingest.feeds.tick:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "feed-poller")
    void tick() throws InterruptedException {
        Instant now = clock.instant();
        for (Feed feed : feeds.values()) {
            if (!feed.nextPoll.isAfter(now)) {
                try {
                    poll(feed.uri.toString());
                } catch (IllegalArgumentException e) {
                    // removed while the cycle ran
                }
            }
        }
    }

    /** Polls one feed now, whatever its schedule; the status after the poll. */
    public FeedStatus poll(String url) throws InterruptedException {
        Feed feed = feeds.get(url);
        if (feed == null) {
            throw new IllegalArgumentException("no feed " + url + "; add it first");
        }
        synchronized (feed) {
            Instant started = clock.instant();
            feed.lastPoll = started;
            byte[] document = new byte[0];
            try {
                FeedFetcher.Fetched fetched = fetcher.fetch(feed.uri, feed.etag, feed.lastModified);
                if (!fetched.notModified()) {
                    document = fetched.body();
                    SyndFeed parsed = parse(feed, fetched);
                    publishEntries(feed, parsed);
                    feed.etag = fetched.etag();
                    feed.lastModified = fetched.lastModified();
                }
                feed.lastSuccess = clock.instant();
                feed.failures = 0;
                feed.nextPoll = started.plus(feed.interval);
            } catch (FeedFetcher.FeedFetchException | NotAFeed e) {
                failed(feed, started, e.getMessage());
            } catch (RuntimeException | StackOverflowError e) {
                // One feed never stops the others: whatever its document does to a parser is this feed's error.
                String reason = "the feed could not be read: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + StorableText.abbreviated(e.getMessage().lines().findFirst().orElse(""), 200));
                publisher.deadLetter(DeadLetters.STAGE_FEED, reason, feed.uri.toString(), document);
                failed(feed, started, reason);
            }
            return feed.status();
        }
    }

    private void failed(Feed feed, Instant started, String reason) {
        feed.failures++;
        feed.lastError = clock.instant();
        feed.lastErrorReason = reason;
        Duration backoff = new Backoff(config.backoffBase(), config.backoffMax()).delay(feed.failures);
        feed.nextPoll = started.plus(backoff);
        LOG.warnf("feed %s failed (%d in a row; next try in %d s): %s", FeedFetcher.redacted(feed.uri), feed.failures, backoff.toSeconds(), reason);
    }

    private static final class NotAFeed extends Exception {
        NotAFeed(String message) {
            super(message);
        }
    }

    private SyndFeed parse(Feed feed, FeedFetcher.Fetched fetched) throws NotAFeed {
        try {
            SyndFeedInput input = new SyndFeedInput();
            // XmlReader takes the encoding from the BOM, the XML prolog and the Content-Type, leniently; it looks for the
            // prolog at byte 0 only, so whitespace before it (real feeds have a blank line there) is dropped first.
            byte[] body = fromDeclaration(fetched.body());
            // A DOCTYPE naming an external DTD (RSS 0.91's Netscape one) is read, the DTD not loaded; one with an internal
            // subset (where entities are declared: billion laughs, XXE) is refused. Rome turns external entities off.
            input.setAllowDoctypes(doctypeWithoutInternalSubset(body));
            // The JDK's parser refuses documents nested deeper than MAX_ELEMENT_DEPTH (read when a parser is made).
            return input.build(new XmlReader(new ByteArrayInputStream(body), fetched.contentType(), true));
        } catch (FeedException | IOException | IllegalArgumentException | IllegalStateException e) {
            String reason = "not an RSS or Atom feed: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
            publisher.deadLetter(DeadLetters.STAGE_FEED, reason, feed.uri.toString(), fetched.body());
            throw new NotAFeed(reason);
        }
    }

    /** The document from its {@code <?xml} declaration when only whitespace comes before it, else as it is. */
    static byte[] fromDeclaration(byte[] body) {
        int i = 0;
        while (i < body.length && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) {
            i++;
        }
        boolean declaration = i > 0 && body.length - i >= 5 && body[i] == '<' && body[i + 1] == '?' && body[i + 2] == 'x' && body[i + 3] == 'm'
                && body[i + 4] == 'l';
        return declaration ? Arrays.copyOfRange(body, i, body.length) : body;
    }

    /** Whether the document declares a DOCTYPE, and it has no internal subset ({@code [...]} before its {@code >}). */
    static boolean doctypeWithoutInternalSubset(byte[] body) {
        String head = new String(body, 0, Math.min(body.length, 8 * 1024), StandardCharsets.ISO_8859_1);
        int doctype = head.indexOf("<!DOCTYPE");
        if (doctype < 0) {
            return false;
        }
        int end = head.indexOf('>', doctype);
        int subset = head.indexOf('[', doctype);
        return end > 0 && (subset < 0 || subset > end);
    }

    private void publishEntries(Feed feed, SyndFeed parsed) throws InterruptedException {
        SourceKind kind = parsed.getFeedType() != null && parsed.getFeedType().startsWith("atom") ? SourceKind.ATOM : SourceKind.RSS;
        List<java.util.concurrent.CompletableFuture<RawTextPublisher.Outcome>> sent = new ArrayList<>();
        Set<String> refused = new HashSet<>();
        for (SyndEntry entry : parsed.getEntries()) {
            feed.itemsSeen++;
            IncomingItem incoming = toItem(feed, parsed, entry, kind);
            ItemValidation.Result result = validation.check(incoming);
            if (result instanceof ItemValidation.Invalid invalid) {
                feed.itemsRefused++;
                String reason = "entry " + (entry.getUri() == null ? entry.getLink() : entry.getUri()) + ": " + invalid.reason();
                // Dead-lettered once while it stays in the feed, not at every poll.
                if (refused.add(reason) && !feed.refusedLastPoll.contains(reason)) {
                    publisher.deadLetter(DeadLetters.STAGE_FEED, reason, feed.uri.toString(), entryBytes(incoming));
                }
                continue;
            }
            RawText item = ((ItemValidation.Valid) result).item();
            sent.add(publisher.publish(item));
        }
        feed.refusedLastPoll = refused;
        for (var f : sent) {
            try {
                if (f.get(30, TimeUnit.SECONDS) == RawTextPublisher.Outcome.PUBLISHED) {
                    feed.itemsPublished++;
                }
            } catch (ExecutionException | TimeoutException e) {
                // The id was forgotten by the publisher: the next poll publishes it again.
                LOG.warnf("feed %s: an item was not acknowledged by Kafka (%s); it is retried at the next poll", FeedFetcher.redacted(feed.uri), e.getMessage());
                feed.etag = null;
                feed.lastModified = null;
            }
        }
    }

    private IncomingItem toItem(Feed feed, SyndFeed parsed, SyndEntry entry, SourceKind kind) {
        String body = null;
        if (entry.getContents() != null && !entry.getContents().isEmpty()) {
            body = entry.getContents().get(0).getValue();
        }
        SyndContent description = entry.getDescription();
        if (body == null && description != null) {
            body = description.getValue();
        }
        List<String> tickers = new ArrayList<>();
        for (SyndCategory category : entry.getCategories()) {
            Matcher m = category.getName() == null ? null : CATEGORY_TICKER.matcher(category.getName().strip());
            if (m != null && m.matches()) {
                tickers.add(m.group(1));
            }
        }
        String[] origLink = {null};
        fromForeignMarkup(entry.getForeignMarkup(), tickers, validation.rules().maxTickers(), origLink);
        String link = origLink[0] != null ? origLink[0] : entry.getLink();
        Instant published = entry.getPublishedDate() != null ? entry.getPublishedDate().toInstant()
                : entry.getUpdatedDate() != null ? entry.getUpdatedDate().toInstant() : clock.instant();
        String nativeId = entry.getUri() != null && !entry.getUri().isBlank() ? entry.getUri() : entry.getLink();
        return new IncomingItem(kind, feed.uri.toString(), nativeId, link, published, entry.getTitle(), body, tickers,
                entry.getAuthor() == null || entry.getAuthor().isBlank() ? null : entry.getAuthor(), parsed.getLanguage());
    }

    /**
     * What feeds say in elements of their own: tickers from Seeking Alpha's {@code sa:symbol} (inside {@code sa:stock})
     * and NASDAQ Trader's {@code ndaq:IssueSymbol} (only values that are tickers, and at most {@code maxTickers} in all:
     * a stray value or a roundup listing 113 symbols never refuses the entry; the first ones are kept), and FeedBurner's
     * {@code feedburner:origLink}, the article's own URL behind the tracking link.
     */
    static void fromForeignMarkup(List<Element> elements, List<String> tickers, int maxTickers, String[] origLink) {
        for (Element e : elements) {
            String namespace = e.getNamespaceURI();
            String value = e.getTextTrim();
            if (TICKER_ELEMENTS.getOrDefault(namespace, Set.of()).contains(e.getName())) {
                String ticker = ItemNormaliser.ticker(value);
                if (ticker != null && !tickers.contains(ticker) && tickers.size() < maxTickers) {
                    tickers.add(ticker);
                }
            } else if (FEEDBURNER.equals(namespace) && e.getName().equals("origLink") && !value.isEmpty() && origLink[0] == null) {
                origLink[0] = value;
            }
            fromForeignMarkup(e.getChildren(), tickers, maxTickers, origLink);
        }
    }

    private static byte[] entryBytes(IncomingItem item) {
        try {
            return new ObjectMapper().findAndRegisterModules().writeValueAsBytes(item);
        } catch (IOException e) {
            return String.valueOf(item).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** One feed's schedule, validators and counters; guarded by its own monitor while polled. */
    private static final class Feed {
        final URI uri;
        Duration interval;
        Instant nextPoll;
        Instant lastPoll;
        Instant lastSuccess;
        Instant lastError;
        String lastErrorReason;
        int failures;
        long itemsSeen;
        long itemsPublished;
        long itemsRefused;
        String etag;
        String lastModified;
        /** The refusals of the last document's entries (each dead-lettered when first seen). */
        Set<String> refusedLastPoll = Set.of();

        Feed(URI uri, Instant now) {
            this.uri = uri;
            this.nextPoll = now;
        }

        FeedStatus status() {
            return new FeedStatus(uri.toString(), interval.toSeconds(), lastPoll, lastSuccess, lastError, lastErrorReason, failures, nextPoll,
                    itemsSeen, itemsPublished, itemsRefused, etag, lastModified);
        }
    }
}
