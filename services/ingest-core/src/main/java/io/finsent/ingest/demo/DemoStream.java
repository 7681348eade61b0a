package io.finsent.ingest.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import io.finsent.ingest.IncomingItem;
import io.finsent.schema.SourceKind;

/**
 * Synthetic headlines and posts for 20 tickers, written by us, so a newcomer sees the pipeline move
 * without any feed: calm, mixed tone everywhere, except for a scripted negative surge on one ticker
 * (more items, mostly negative) for a few minutes of every cycle. Deterministic: the same seed and start
 * give the same items at the same (virtual) times. Every item says it is synthetic (source {@code demo},
 * author {@code demo generator}, kind DEMO).
 */
public final class DemoStream {

    public enum Tone { POSITIVE, NEUTRAL, NEGATIVE }

    /** An item with the tone it was written in: the ground truth a scorer should roughly find. */
    public record DemoItem(IncomingItem item, Tone tone, boolean surge) {
    }

    /**
     * @param surgeTicker    the ticker that turns negative
     * @param cycle          the script repeats with this period
     * @param surgeStart     when in each cycle the surge starts
     * @param surgeLength    how long it lasts
     * @param itemsPerMinute the calm rate over all tickers together
     * @param surgeFactor    the surge ticker's extra items, as a multiple of the calm rate of all tickers
     */
    public record Script(String surgeTicker, Duration cycle, Duration surgeStart, Duration surgeLength, double itemsPerMinute,
            double surgeFactor) {

        /** A surge on BA from minute 5 to minute 8 of every 15, over 30 items a minute. */
        public static Script defaults() {
            return new Script("BA", Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofMinutes(3), 30, 1.0);
        }

        public Script {
            if (itemsPerMinute <= 0 || surgeFactor < 0) {
                throw new IllegalArgumentException("the demo needs a positive rate and a non-negative surge factor");
            }
            if (surgeStart.plus(surgeLength).compareTo(cycle) > 0) {
                throw new IllegalArgumentException("the surge (" + surgeStart + " + " + surgeLength + ") must fit in the cycle " + cycle);
            }
            if (COMPANIES.stream().noneMatch(c -> c.ticker.equals(surgeTicker))) {
                throw new IllegalArgumentException("the surge ticker " + surgeTicker + " is not one of the demo's " + tickers());
            }
        }
    }

    /** A company of the demo: its ticker, name and the theme its headlines mention. */
    public record Company(String ticker, String name, String theme) {
    }

    private static final List<Company> COMPANIES = List.of(
            new Company("AAPL", "Apple", "consumer tech"), new Company("MSFT", "Microsoft", "cloud"),
            new Company("NVDA", "Nvidia", "chips"), new Company("AMD", "AMD", "chips"), new Company("INTC", "Intel", "chips"),
            new Company("AMZN", "Amazon", "retail"), new Company("WMT", "Walmart", "retail"), new Company("GOOGL", "Alphabet", "advertising"),
            new Company("META", "Meta", "advertising"), new Company("TSLA", "Tesla", "electric vehicles"),
            new Company("JPM", "JPMorgan", "banks"), new Company("GS", "Goldman Sachs", "banks"), new Company("XOM", "Exxon Mobil", "oil"),
            new Company("CVX", "Chevron", "oil"), new Company("PFE", "Pfizer", "pharma"), new Company("JNJ", "Johnson & Johnson", "pharma"),
            new Company("BA", "Boeing", "aerospace"), new Company("DIS", "Disney", "media"), new Company("NFLX", "Netflix", "media"),
            new Company("KO", "Coca-Cola", "consumer staples"));

    private static final List<String> POSITIVE = List.of(
            "%s beats quarterly estimates as revenue grows %d%%",
            "%s raises full-year guidance on strong demand in %s",
            "Analysts upgrade %s to buy, citing momentum in %s",
            "%s shares climb %d%% after record orders",
            "$%s breaking out, volume well above average, looks strong here",
            "%s announces $%d billion buyback, shares rise",
            "Upbeat outlook for %s as %s demand recovers",
            "%s margins widen for a third straight quarter");
    private static final List<String> NEUTRAL = List.of(
            "%s to report earnings next week; consensus sees revenue up %d%%",
            "%s schedules investor day for next month",
            "What to watch in %s this week",
            "%s names new chief financial officer",
            "$%s trading flat ahead of the Fed minutes",
            "%s completes previously announced debt offering of $%d billion",
            "%s files quarterly report, no change to guidance",
            "Sector check: how %s is positioned in %s");
    private static final List<String> NEGATIVE = List.of(
            "%s shares slide %d%% after guidance cut",
            "%s misses estimates as %s demand weakens",
            "Regulators open probe into %s, shares fall",
            "Analysts downgrade %s to sell on margin pressure",
            "$%s breaking down hard, getting out before it gets worse",
            "%s recalls products over safety concerns, stock drops %d%%",
            "%s halts deliveries as quality problems mount",
            "Lawsuit piles pressure on %s after %s setbacks");

    private final long seed;
    private final Instant start;
    private final Script script;
    private final SplittableRandom random;
    private long sequence;
    private double elapsedSeconds;

    public DemoStream(long seed, Instant start, Script script) {
        this.seed = seed;
        this.start = start;
        this.script = script;
        this.random = new SplittableRandom(seed);
    }

    /** The demo's companies, in a fixed order. */
    public static List<Company> companies() {
        return COMPANIES;
    }

    public static List<String> tickers() {
        return COMPANIES.stream().map(Company::ticker).toList();
    }

    /** The script's start: item times, surges and cycles count from it. */
    public Instant start() {
        return start;
    }

    public Script script() {
        return script;
    }

    /**
     * The native id of the n-th item: seed, start and sequence, so a stream started again later (a restarted
     * service) is new to the de-duplication horizon, and the same stream repeated is not.
     */
    public String nativeId(long n) {
        return "demo-" + seed + "-" + start.toEpochMilli() + "-" + n;
    }

    /** Whether the surge is on at this instant of the script. */
    public boolean inSurge(Instant at) {
        long intoCycle = Math.floorMod(Duration.between(start, at).toMillis(), script.cycle().toMillis());
        return intoCycle >= script.surgeStart().toMillis() && intoCycle < script.surgeStart().plus(script.surgeLength()).toMillis();
    }

    /** When the next surge starts, counted from {@code at} ({@code at} itself if one starts then). */
    public Instant nextSurge(Instant at) {
        long cycle = script.cycle().toMillis();
        long intoCycle = Math.floorMod(Duration.between(start, at).toMillis(), cycle);
        long untilSurge = Math.floorMod(script.surgeStart().toMillis() - intoCycle, cycle);
        return at.plusMillis(untilSurge);
    }

    /** The publication time of the next item, without taking it. */
    public Instant peekTime() {
        return start.plusMillis((long) (elapsedSeconds * 1000));
    }

    /** The next item in time order. */
    public DemoItem next() {
        Instant at = peekTime();
        boolean surge = inSurge(at);
        double calmPerSecond = script.itemsPerMinute() / 60.0;
        double surgePerSecond = surge ? calmPerSecond * script.surgeFactor() : 0;
        boolean surgeItem = random.nextDouble() * (calmPerSecond + surgePerSecond) >= calmPerSecond;
        Company company = surgeItem ? company(script.surgeTicker()) : COMPANIES.get(random.nextInt(COMPANIES.size()));
        boolean negativeSpell = surge && company.ticker.equals(script.surgeTicker());
        Tone tone = tone(negativeSpell);
        List<String> templates = switch (tone) {
            case POSITIVE -> POSITIVE;
            case NEUTRAL -> NEUTRAL;
            case NEGATIVE -> NEGATIVE;
        };
        String template = templates.get(random.nextInt(templates.size()));
        String text = fill(template, company);
        boolean post = template.startsWith("$");
        long n = sequence++;
        IncomingItem item = new IncomingItem(SourceKind.DEMO, "demo", nativeId(n),
                "https://demo.finsent.invalid/" + (post ? "posts/" : "news/") + seed + "/" + n, at,
                post ? null : text, post ? text : null, post ? List.of() : List.of(company.ticker), "demo generator", "en");
        // Exponential inter-arrival times: a Poisson stream at the current total rate.
        elapsedSeconds += -Math.log(1 - random.nextDouble()) / (calmPerSecond + surgePerSecond);
        return new DemoItem(item, tone, negativeSpell);
    }

    private Tone tone(boolean negativeSpell) {
        double r = random.nextDouble();
        if (negativeSpell) {
            return r < 0.85 ? Tone.NEGATIVE : r < 0.95 ? Tone.NEUTRAL : Tone.POSITIVE;
        }
        return r < 0.15 ? Tone.NEGATIVE : r < 0.70 ? Tone.NEUTRAL : Tone.POSITIVE;
    }

    private String fill(String template, Company company) {
        int pct = 2 + random.nextInt(14);
        Object[] args;
        if (template.startsWith("$")) {
            args = new Object[] {company.ticker};
        } else {
            long slots = template.chars().filter(c -> c == '%').count() - (template.contains("%%") ? 2 : 0);
            Object second = template.contains("%d") ? (Object) pct : company.theme;
            args = slots >= 2 ? new Object[] {company.name, second} : new Object[] {company.name};
        }
        return String.format(Locale.ROOT, template, args);
    }

    private static Company company(String ticker) {
        return COMPANIES.stream().filter(c -> c.ticker.equals(ticker)).findFirst().orElseThrow();
    }
}
