package io.finsent.ingest.service;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.annotation.PreDestroy;
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
import io.finsent.common.TargetPolicy;
import io.finsent.common.Topics;
import io.finsent.ingest.DeadLetters;
import io.finsent.ingest.FieldError;
import io.finsent.ingest.IncomingItem;
import io.finsent.ingest.ItemIds;
import io.finsent.ingest.ItemNormaliser;
import io.finsent.ingest.ItemValidation;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;

/**
 * Polls RSS 2.0 and Atom feeds (Rome) on a schedule: each feed at its interval, with a conditional GET,
 * and after failures with exponential backoff (base doubling per failure, capped). Entries become items
 * (id: the feed's URL + guid or link); entries that fail validation and bodies that are not a feed go to the
 * dead-letter topic with the reason, once; fetch failures (HTTP errors, timeouts, redirect loops, size cap,
 * targets the address policy refuses) show in the feed's status. The feed list comes from a file at start
 * and from the REST API.
 *
 * <p>One feed never hurts another: feeds are polled on a pool of their own threads ({@code ingest.feeds.pollers}),
 * one poll at a time per feed; whatever a document does to a parser (nesting, a stack overflow, a parse that runs
 * past {@code ingest.feeds.parse-budget}) is that feed's error.
 *
 * <p>An entry still in the feed's document and published before is never published again, however long the feed
 * keeps it: the de-duplication horizon forgets ids after {@code ingest.dedup.horizon}, the feed's own memory of its
 * last document does not. A dateless entry is dated when first seen, and marked so ({@code published_at_estimated}).
 */
@ApplicationScoped
public class FeedPoller {

    private static final Logger LOG = Logger.getLogger(FeedPoller.class);
    /** Elements holding one ticker, by namespace: Seeking Alpha's sa:symbol, NASDAQ Trader's ndaq:IssueSymbol. */
    private static final Map<String, Set<String>> TICKER_ELEMENTS = Map.of("https://seekingalpha.com/api/1.0", Set.of("symbol"),
            "http://www.nasdaqtrader.com/", Set.of("IssueSymbol"));
    private static final String FEEDBURNER = "http://rssnamespace.org/feedburner/ext/1.0";
    private static final String MEDIA_RSS = "http://search.yahoo.com/mrss/";
    private static final Pattern SYMBOL_SCHEME = Pattern.compile("(?i)symbol|ticker");
    private static final Pattern CATEGORY_TICKER = Pattern.compile("^(?:\\$|[A-Za-z]{2,10}:)([A-Za-z][A-Za-z0-9.\\-]{0,11})$");
    /** A feed's name is its items' source: the limit of a source. */
    static final int MAX_NAME_CHARS = 200;

    private final IngestConfig.Feeds config;
    private final RawTextPublisher publisher;
    private final TargetPolicy policy;
    private final FeedFetcher fetcher;
    private final MeterRegistry metrics;
    private final Clock clock = Clock.systemUTC();
    private final ItemValidation validation;
    private final ExecutorService pollers;
    private final FeedStore store;
    /** By URL (as given, stripped). */
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();

    FeedPoller(IngestConfig config, RawTextPublisher publisher, MeterRegistry metrics, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.store = new FeedStore(kafka, clock);
        this.validation = new ItemValidation(config.itemRules(clock));
        this.config = config.feeds();
        this.publisher = publisher;
        this.metrics = metrics;
        // Feeds may sit behind basic authentication (user info in the URL, redacted wherever it is shown).
        this.policy = TargetPolicy.builder().allowPrivateTargets(this.config.allowPrivateTargets()).allowUserInfo(true).build();
        this.fetcher = new FeedFetcher(policy, this.config.timeout(), this.config.maxBytes(), this.config.maxRedirects());
        AtomicInteger threads = new AtomicInteger();
        this.pollers = Executors.newFixedThreadPool(Math.max(1, this.config.pollers()), r -> {
            Thread t = new Thread(r, "feed-poller-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        metrics.counter("ingest.feeds.undecodable.entries");
        metrics.counter("ingest.feeds.polls", "outcome", "ok");
        metrics.counter("ingest.feeds.polls", "outcome", "failed");
    }

    void onStart(@Observes StartupEvent start) {
        Optional<java.nio.file.Path> file = config.file();
        if (file.isPresent()) {
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
                    add(FeedSpec.parseLine(line));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(file.get() + " line " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
            LOG.infof("%d feeds from %s", feeds.size(), file.get());
        }
        // Feeds added over the API, kept in feed.config: one that the rules now refuse is skipped, and said so.
        int stored = 0;
        for (var entry : store.load().entrySet()) {
            try {
                add(entry.getValue());
                stored++;
            } catch (IllegalArgumentException e) {
                LOG.warnf("stored feed %s is refused now and not polled: %s (./monitor feeds remove %s removes it)", entry.getKey(), e.getMessage(),
                        entry.getKey());
            }
        }
        if (stored > 0) {
            LOG.infof("%d feeds from %s", stored, Topics.FEED_CONFIG.name());
        }
    }

    @PreDestroy
    void stop() {
        pollers.shutdownNow();
        store.close();
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

    /** A feed's short id: {@code f-} and 12 hex digits of its URL's SHA-256. */
    static String idOf(String url) {
        return "f-" + ItemIds.ofBytes(url.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    /** {@link #add(FeedSpec)} with no tickers and no name. */
    public FeedStatus add(String url, Duration interval) {
        return add(FeedSpec.of(url, interval));
    }

    /**
     * Adds a feed, or replaces an existing one's interval, tickers and name; it is polled at the next tick.
     *
     * @throws IllegalArgumentException naming what is wrong: not an http(s) URL, a target the address policy refuses,
     *                                  an interval out of bounds, a ticker that is not one, a name that cannot be a source
     */
    public FeedStatus add(FeedSpec spec) {
        return apply(check(spec));
    }

    /**
     * {@link #add(FeedSpec)}, kept in {@code feed.config} first so that the feed survives restarts.
     *
     * @throws FeedStore.FeedStoreException when Kafka did not take it: nothing changed
     */
    public FeedStatus addDurably(FeedSpec spec) throws FeedStore.FeedStoreException, InterruptedException {
        FeedSpec checked = check(spec);
        store.save(idOf(checked.url()), checked);
        return apply(checked);
    }

    /**
     * Removes a feed, from {@code feed.config} too; false when there is no such feed.
     *
     * @throws FeedStore.FeedStoreException when Kafka did not take the removal: nothing changed
     */
    public boolean removeDurably(String id) throws FeedStore.FeedStoreException, InterruptedException {
        Optional<Feed> feed = byId(id);
        if (feed.isEmpty()) {
            return false;
        }
        store.delete(id);
        return feeds.remove(feed.get().uri.toString()) != null;
    }

    /** The spec as it will be kept: URL stripped, tickers normalised, name trimmed; refused with the reason otherwise. */
    private FeedSpec check(FeedSpec spec) {
        String url = spec.url() == null ? "" : spec.url().strip();
        String shown = StorableText.abbreviated(FeedFetcher.redacted(url), 100);
        if (url.length() > MAX_URL_CHARS) {
            throw new IllegalArgumentException("a URL of " + url.length() + " characters, more than " + MAX_URL_CHARS + ": '" + shown + "'");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + shown + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() == null && uri.getRawAuthority() != null) {
            // 127.1, 0x7f.1 and the like: neither a host name nor a plain dotted quad, so nothing the address policy could check
            throw new IllegalArgumentException("'" + StorableText.abbreviated(scheme + "://" + uri.getRawAuthority().replaceFirst("^.*@", ""), 100)
                    + "' is refused: its host is neither a name nor a plain dotted quad (a.b.c.d)");
        }
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + shown + "' is not an absolute http or https URL with a host");
        }
        if (uri.getPort() > 65_535) {
            throw new IllegalArgumentException("'" + shown + "' is not a URL: port " + uri.getPort() + " is out of range");
        }
        // Refused now when it can be told now; a name that does not resolve yet is checked again at every fetch.
        if (policy.check(url) instanceof TargetPolicy.Refused refused) {
            throw new IllegalArgumentException("'" + shown + "' is refused: " + FeedFetcher.explained(refused));
        }
        Duration interval = spec.interval();
        if (interval != null && (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0)) {
            throw new IllegalArgumentException("the poll interval must be between " + MIN_INTERVAL + " and " + MAX_INTERVAL + " (10 s and a day), got "
                    + interval);
        }
        return new FeedSpec(url, interval, tickers(spec.tickers()), name(spec.name()));
    }

    private FeedStatus apply(FeedSpec checked) {
        URI uri = URI.create(checked.url());
        Feed feed = feeds.compute(checked.url(), (k, existing) -> {
            Feed f = existing != null ? existing : new Feed(uri, clock.instant());
            f.interval = checked.interval() != null ? checked.interval() : config.pollInterval();
            f.tickers = checked.tickers();
            f.name = checked.name();
            return f;
        });
        return feed.status();
    }

    private List<String> tickers(List<String> given) {
        if (given.size() > validation.rules().maxTickers()) {
            throw new IllegalArgumentException(given.size() + " tickers, more than the limit of " + validation.rules().maxTickers());
        }
        List<String> tickers = new ArrayList<>();
        for (String raw : given) {
            String ticker = raw == null ? null : ItemNormaliser.ticker(raw);
            if (ticker == null) {
                throw new IllegalArgumentException("tickers: '" + StorableText.abbreviated(String.valueOf(raw), 40)
                        + "' is not a ticker (A-Z or 0-9, then A-Z, 0-9, '.' or '-', at most 12 in all, any case)");
            }
            if (!tickers.contains(ticker)) {
                tickers.add(ticker);
            }
        }
        return List.copyOf(tickers);
    }

    private static String name(String given) {
        if (given == null || given.isBlank()) {
            return null;
        }
        String name = given.strip();
        String refusal = StorableText.refusal(name);
        if (refusal != null || name.chars().anyMatch(c -> c == '\n' || c == '\r' || c == '\t')) {
            throw new IllegalArgumentException("name " + (refusal != null ? refusal : "holds a tab or a line break") + "; a name is one line of text");
        }
        if (name.length() > MAX_NAME_CHARS) {
            throw new IllegalArgumentException("name of " + name.length() + " characters, more than " + MAX_NAME_CHARS);
        }
        return name;
    }

    public boolean remove(String url) {
        return url != null && feeds.remove(url.strip()) != null;
    }

    public List<FeedStatus> statuses() {
        return feeds.values().stream().map(Feed::status).sorted(Comparator.comparing(FeedStatus::url).thenComparing(FeedStatus::id)).toList();
    }

    public Optional<FeedStatus> status(String url) {
        return Optional.ofNullable(url == null ? null : feeds.get(url.strip())).map(Feed::status);
    }

    public Optional<FeedStatus> statusById(String id) {
        return byId(id).map(Feed::status);
    }

    private Optional<Feed> byId(String id) {
        return feeds.values().stream().filter(f -> f.id.equals(id)).findFirst();
    }

    @Scheduled(every = "${ingest.feeds.tick:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "feed-poller")
    void tick() {
        cycle();
    }

    /**
     * Starts a poll of every due feed that is not being polled already, each on the pollers' pool, and returns at
     * once: a slow feed never holds back the next cycle's other feeds. The future completes when this cycle's polls are done.
     */
    CompletableFuture<Void> cycle() {
        Instant now = clock.instant();
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (Feed feed : feeds.values()) {
            if (feed.nextPoll.isAfter(now) || !feed.polling.compareAndSet(false, true)) {
                continue;
            }
            try {
                started.add(CompletableFuture.runAsync(() -> {
                    try {
                        if (feeds.get(feed.uri.toString()) == feed) { // not removed meanwhile
                            poll(feed);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        feed.polling.set(false);
                    }
                }, pollers));
            } catch (RejectedExecutionException e) {
                feed.polling.set(false); // shutting down
            }
        }
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
    }

    /** Polls one feed now, whatever its schedule; the status after the poll. */
    public FeedStatus poll(String url) throws InterruptedException {
        Feed feed = url == null ? null : feeds.get(url.strip());
        if (feed == null) {
            throw new IllegalArgumentException("no feed " + StorableText.abbreviated(FeedFetcher.redacted(String.valueOf(url)), 100) + "; add it first");
        }
        return poll(feed);
    }

    private FeedStatus poll(Feed feed) throws InterruptedException {
        synchronized (feed) {
            Instant started = clock.instant();
            feed.lastPoll = started;
            byte[] document = new byte[0];
            try {
                FeedFetcher.Fetched fetched = fetcher.fetch(feed.uri, feed.etag, feed.lastModified);
                if (!fetched.notModified()) {
                    document = fetched.body();
                    long deadline = System.nanoTime() + config.parseBudget().toNanos();
                    Parsed parsed = parse(feed, fetched, deadline);
                    if (publishEntries(feed, parsed, deadline)) {
                        feed.etag = fetched.etag();
                        feed.lastModified = fetched.lastModified();
                    } else {
                        // An item Kafka did not acknowledge is sent again at the next poll: no 304 may skip it.
                        feed.etag = null;
                        feed.lastModified = null;
                    }
                }
                feed.lastSuccess = clock.instant();
                feed.failures = 0;
                feed.nextPoll = started.plus(feed.interval);
                metrics.counter("ingest.feeds.polls", "outcome", "ok").increment();
            } catch (FeedFetcher.FeedFetchException e) {
                failed(feed, started, e.getMessage(), e.detail());
            } catch (NotAFeed e) {
                failed(feed, started, e.getMessage(), null);
            } catch (ParseBudgetSpent e) {
                String reason = "the document took more than " + config.parseBudget().toMillis() + " ms to parse and turn into items"
                        + " (ingest.feeds.parse-budget)";
                deadLetterDocument(feed, reason, document);
                failed(feed, started, reason, null);
            } catch (RuntimeException | StackOverflowError e) {
                // One feed never stops the others: whatever its document does to a parser is this feed's error.
                String reason = "the feed could not be read: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + StorableText.abbreviated(e.getMessage().lines().findFirst().orElse(""), 200));
                deadLetterDocument(feed, reason, document);
                failed(feed, started, reason, null);
            }
            return feed.status();
        }
    }

    private void failed(Feed feed, Instant started, String reason, String detail) {
        feed.failures++;
        feed.lastError = clock.instant();
        feed.lastErrorReason = reason;
        Duration backoff = new Backoff(config.backoffBase(), config.backoffMax()).delay(feed.failures);
        feed.nextPoll = started.plus(backoff);
        metrics.counter("ingest.feeds.polls", "outcome", "failed").increment();
        LOG.warnf("feed %s (%s) failed (%d in a row; next try in %d s): %s%s", feed.id, FeedFetcher.redacted(feed.uri), feed.failures,
                backoff.toSeconds(), reason, detail == null ? "" : " [" + detail + "]");
    }

    /** A document's dead letter, once: a feed that keeps serving the same bad document is not dead-lettered at every poll. */
    private void deadLetterDocument(Feed feed, String reason, byte[] document) {
        String key = ItemIds.ofBytes(document);
        if (!key.equals(feed.lastDeadLetteredDocument)) {
            feed.lastDeadLetteredDocument = key;
            publisher.deadLetter(DeadLetters.STAGE_FEED, reason, FeedFetcher.redacted(feed.uri), document);
        }
    }

    private static final class NotAFeed extends Exception {
        NotAFeed(String message) {
            super(message);
        }
    }

    /** A parsed document, with what its bytes say of their encoding: {@code undecodable} is null when they decode cleanly. */
    record Parsed(SyndFeed feed, String encoding, String undecodable) {
    }

    private Parsed parse(Feed feed, FeedFetcher.Fetched fetched, long deadline) throws NotAFeed {
        try {
            return read(fetched.body(), fetched.contentType(), deadline);
        } catch (FeedException | IOException | IllegalArgumentException | IllegalStateException e) {
            if (e instanceof ParseBudgetSpent spent) {
                throw spent;
            }
            String reason = "not an RSS or Atom feed: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
            deadLetterDocument(feed, reason, fetched.body());
            throw new NotAFeed(reason);
        }
    }

    /**
     * Parses a feed's document, within the parse budget ({@code deadline}, of {@link System#nanoTime}).
     *
     * @throws ParseBudgetSpent when the deadline passes before the parser is done
     */
    static Parsed read(byte[] document, String contentType, long deadline) throws FeedException, IOException {
        SyndFeedInput input = new SyndFeedInput();
        // XmlReader takes the encoding from the BOM, the XML prolog and the Content-Type (RFC 7303), leniently; it looks
        // for the prolog at byte 0 only, so whitespace before it (real feeds have a blank line there) is dropped first.
        byte[] body = fromDeclaration(document);
        // A DOCTYPE naming an external DTD (RSS 0.91's Netscape one) is read, the DTD not loaded; one with an internal
        // subset (where entities are declared: billion laughs, XXE) is refused. Rome turns external entities off.
        input.setAllowDoctypes(doctypeWithoutInternalSubset(body));
        BudgetedStream stream = new BudgetedStream(body, deadline);
        try {
            XmlReader reader = new XmlReader(stream, contentType, true);
            // The JDK's parser refuses documents nested deeper than MAX_ELEMENT_DEPTH (read when a parser is made).
            SyndFeed parsed = input.build(reader);
            return new Parsed(parsed, reader.getEncoding(), undecodable(body, reader.getEncoding()));
        } catch (FeedException | IOException | RuntimeException e) {
            if (stream.overBudget) {
                throw new ParseBudgetSpent(); // however the parser wrapped it
            }
            throw e;
        }
    }

    /** The document's bytes, failing a read once the parse budget is spent: the parser reads as it goes, so it stops there. */
    private static final class BudgetedStream extends ByteArrayInputStream {
        private final long deadline;
        boolean overBudget;

        BudgetedStream(byte[] bytes, long deadline) {
            super(bytes);
            this.deadline = deadline;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            spend();
            return super.read(b, off, Math.min(len, 4096));
        }

        @Override
        public synchronized int read() {
            spend();
            return super.read();
        }

        private void spend() {
            if (System.nanoTime() > deadline) {
                overBudget = true;
                throw new ParseBudgetSpent();
            }
        }
    }

    static final class ParseBudgetSpent extends IllegalStateException {
        ParseBudgetSpent() {
            super("parse budget spent");
        }
    }

    /**
     * Why the document's bytes do not decode in the encoding the parser chose ("byte 1042 is not valid UTF-8"), or null
     * when they do: the lenient decoder put U+FFFD where they fail, and text with those is never published as if it were right.
     */
    static String undecodable(byte[] body, String encoding) {
        Charset charset;
        try {
            charset = Charset.forName(encoding);
        } catch (RuntimeException e) {
            return "its encoding '" + StorableText.abbreviated(String.valueOf(encoding), 40) + "' is not one this service knows";
        }
        CharsetDecoder decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return "byte " + in.position() + " of the document is not valid " + charset.name();
            }
            if (!result.isOverflow()) {
                break; // every byte decoded
            }
            out.clear();
        }
        while (decoder.flush(out).isOverflow()) {
            out.clear();
        }
        return null;
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

    /** An entry sent to Kafka in this poll, and what the feed will remember of it once acknowledged. */
    private record Pending(Seen seen, CompletableFuture<RawTextPublisher.Outcome> outcome) {
    }

    /** Publishes the document's entries; false when Kafka did not acknowledge one of them (it is sent again at the next poll). */
    private boolean publishEntries(Feed feed, Parsed parsed, long deadline) throws InterruptedException {
        SyndFeed document = parsed.feed();
        SourceKind kind = document.getFeedType() != null && document.getFeedType().startsWith("atom") ? SourceKind.ATOM : SourceKind.RSS;
        List<Pending> sent = new ArrayList<>();
        Set<String> refused = new HashSet<>();
        Map<String, Seen> current = new HashMap<>();
        Instant now = clock.instant();
        int undecodable = 0;
        for (SyndEntry entry : document.getEntries()) {
            if (System.nanoTime() > deadline) {
                throw new ParseBudgetSpent();
            }
            feed.itemsSeen++;
            String key = entryKey(entry);
            Seen before = feed.seen.get(key);
            IncomingItem incoming = toItem(feed, document, entry, kind, before != null ? before.firstSeen : now);
            ItemValidation.Result result;
            if (parsed.undecodable() != null && withReplacementCharacters(incoming)) {
                undecodable++;
                result = new ItemValidation.Invalid(List.of(new FieldError("text", "holds replacement characters (U+FFFD) where the feed's bytes"
                        + " do not decode: " + parsed.undecodable() + " (the encoding its HTTP header, byte order mark or XML declaration gave: "
                        + parsed.encoding() + "); not published with broken text")));
            } else {
                result = validation.check(incoming);
            }
            if (result instanceof ItemValidation.Invalid invalid) {
                feed.itemsRefused++;
                String reason = "entry " + StorableText.abbreviated(key, 300) + ": " + invalid.reason();
                // Dead-lettered once while it stays in the feed, not at every poll.
                if (refused.add(reason) && !feed.refusedLastPoll.contains(reason)) {
                    publisher.deadLetter(DeadLetters.STAGE_FEED, reason, FeedFetcher.redacted(feed.uri), entryBytes(incoming));
                    if (reason.contains("replacement characters (U+FFFD)")) {
                        metrics.counter("ingest.feeds.undecodable.entries").increment();
                    }
                }
                continue;
            }
            RawText item = ((ItemValidation.Valid) result).item();
            if (before != null && before.acked && before.itemId.equals(item.getId())) {
                // Still in the document and published before: never again, however long ago (the horizon may have forgotten it).
                current.put(key, before);
                publisher.countDuplicate(kind);
                continue;
            }
            Seen seen = new Seen(item.getId(), before != null ? before.firstSeen : now);
            current.put(key, seen);
            sent.add(new Pending(seen, publisher.publish(item)));
        }
        if (undecodable > 0) {
            LOG.warnf("feed %s (%s): %s (read as %s); %d entries with replacement characters dead-lettered, not published", feed.id,
                    FeedFetcher.redacted(feed.uri), parsed.undecodable(), parsed.encoding(), undecodable);
        }
        feed.refusedLastPoll = refused;
        boolean allAcknowledged = true;
        for (Pending pending : sent) {
            try {
                RawTextPublisher.Outcome outcome = pending.outcome().get(30, TimeUnit.SECONDS);
                // Published now, or the horizon knew it (published and acknowledged before): either way it is in text.raw.
                pending.seen().acked = true;
                if (outcome == RawTextPublisher.Outcome.PUBLISHED) {
                    feed.itemsPublished++;
                }
            } catch (ExecutionException | TimeoutException e) {
                // The publisher forgot the id: the next poll sends it again.
                LOG.warnf("feed %s: an item was not acknowledged by Kafka (%s); it is retried at the next poll", feed.id, e.getMessage());
                allAcknowledged = false;
            }
        }
        feed.seen = current;
        return allAcknowledged;
    }

    /** What identifies an entry within its feed: its guid or link, else its text. */
    private static String entryKey(SyndEntry entry) {
        String nativeId = nativeId(entry);
        if (nativeId != null) {
            return nativeId;
        }
        String description = entry.getDescription() == null ? "" : String.valueOf(entry.getDescription().getValue());
        return "text " + ItemIds.ofBytes((entry.getTitle() + "\u0000" + description).getBytes(StandardCharsets.UTF_8));
    }

    private static String nativeId(SyndEntry entry) {
        return entry.getUri() != null && !entry.getUri().isBlank() ? entry.getUri()
                : entry.getLink() != null && !entry.getLink().isBlank() ? entry.getLink() : null;
    }

    private static boolean withReplacementCharacters(IncomingItem item) {
        return item.title() != null && item.title().indexOf('\uFFFD') >= 0 || item.body() != null && item.body().indexOf('\uFFFD') >= 0
                || item.author() != null && item.author().indexOf('\uFFFD') >= 0;
    }

    private IncomingItem toItem(Feed feed, SyndFeed parsed, SyndEntry entry, SourceKind kind, Instant firstSeen) {
        String body = null;
        if (entry.getContents() != null && !entry.getContents().isEmpty()) {
            body = entry.getContents().get(0).getValue();
        }
        SyndContent description = entry.getDescription();
        if (body == null && description != null) {
            body = description.getValue();
        }
        int maxTickers = validation.rules().maxTickers();
        List<String> tickers = new ArrayList<>();
        for (SyndCategory category : entry.getCategories()) {
            categoryTicker(category.getName(), category.getTaxonomyUri(), tickers, maxTickers);
        }
        String[] origLink = {null};
        fromForeignMarkup(entry.getForeignMarkup(), tickers, maxTickers, origLink);
        for (String ticker : feed.tickers) {
            if (!tickers.contains(ticker) && tickers.size() < maxTickers) {
                tickers.add(ticker);
            }
        }
        // A guid that is not a URL (isPermaLink defaults to true, and Rome takes it as the link then) is the entry's id, not its link.
        String link = origLink[0] != null && httpUrl(origLink[0]) ? origLink[0] : httpUrl(entry.getLink()) ? entry.getLink() : null;
        Instant dated = entry.getPublishedDate() != null ? entry.getPublishedDate().toInstant()
                : entry.getUpdatedDate() != null ? entry.getUpdatedDate().toInstant() : null;
        String source = feed.name != null ? feed.name : FeedFetcher.redacted(feed.uri);
        return new IncomingItem(kind, source, nativeId(entry), link, dated != null ? dated : firstSeen, entry.getTitle(), body, tickers,
                entry.getAuthor() == null || entry.getAuthor().isBlank() ? null : entry.getAuthor(), parsed.getLanguage(), feed.uri.toString(),
                dated == null);
    }

    /** Whether {@code link} is an absolute http(s) URL with a host. */
    private static boolean httpUrl(String link) {
        if (link == null || link.isBlank()) {
            return false;
        }
        try {
            URI uri = new URI(link.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
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
            } else if (MEDIA_RSS.equals(namespace) && e.getName().equals("keywords")) {
                for (String keyword : value.split(",")) {
                    categoryTicker(keyword, null, tickers, maxTickers);
                }
            } else if (MEDIA_RSS.equals(namespace) && e.getName().equals("category")) {
                categoryTicker(value, e.getAttributeValue("scheme"), tickers, maxTickers);
            } else if (FEEDBURNER.equals(namespace) && e.getName().equals("origLink") && !value.isEmpty() && origLink[0] == null) {
                origLink[0] = value;
            }
            fromForeignMarkup(e.getChildren(), tickers, maxTickers, origLink);
        }
    }

    /**
     * A category (or a Media RSS keyword) that names a ticker: {@code $AAPL} or {@code NASDAQ:AAPL} in any scheme, or any
     * ticker-shaped term in a scheme whose URI speaks of symbols or tickers ({@code domain="https://example.com/symbols"}).
     */
    static void categoryTicker(String term, String scheme, List<String> tickers, int maxTickers) {
        if (term == null || tickers.size() >= maxTickers) {
            return;
        }
        Matcher m = CATEGORY_TICKER.matcher(term.strip());
        String ticker = m.matches() ? ItemNormaliser.ticker(m.group(1))
                : scheme != null && SYMBOL_SCHEME.matcher(scheme).find() ? ItemNormaliser.ticker(term) : null;
        if (ticker != null && !tickers.contains(ticker)) {
            tickers.add(ticker);
        }
    }

    private static byte[] entryBytes(IncomingItem item) {
        try {
            return new ObjectMapper().findAndRegisterModules().writeValueAsBytes(item);
        } catch (IOException e) {
            return String.valueOf(item).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** An entry of the feed's last document: its item's id, when it was first seen, and whether Kafka has it. */
    private static final class Seen {
        final String itemId;
        final Instant firstSeen;
        volatile boolean acked;

        Seen(String itemId, Instant firstSeen) {
            this.itemId = itemId;
            this.firstSeen = firstSeen;
        }
    }

    /** One feed's settings, schedule, validators, memory and counters; guarded by its own monitor while polled. */
    private static final class Feed {
        final URI uri;
        final String id;
        final AtomicBoolean polling = new AtomicBoolean();
        volatile Duration interval;
        volatile List<String> tickers = List.of();
        volatile String name;
        volatile Instant nextPoll;
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
        /** The entries of the last document, by {@link #entryKey}. */
        Map<String, Seen> seen = Map.of();
        /** The hash of the last document dead-lettered whole. */
        String lastDeadLetteredDocument;

        Feed(URI uri, Instant now) {
            this.uri = uri;
            this.id = idOf(uri.toString());
            this.nextPoll = now;
        }

        FeedStatus status() {
            return new FeedStatus(id, FeedFetcher.redacted(uri), name, tickers, interval.toSeconds(), lastPoll, lastSuccess, lastError, lastErrorReason,
                    failures, nextPoll, itemsSeen, itemsPublished, itemsRefused, etag, lastModified);
        }
    }
}
