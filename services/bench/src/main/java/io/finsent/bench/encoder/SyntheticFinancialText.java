package io.finsent.bench.encoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded synthetic financial text of mixed lengths, in arrival order: mostly headlines, some summaries, a few long
 * articles, as a news stream mixes them. Generated in code so the benchmark needs no data files.
 */
public final class SyntheticFinancialText {

    private static final String[] COMPANIES = {"Acme Corp", "Globex", "Initech", "Umbrella Holdings", "Stark Industries",
        "Wayne Enterprises", "Northwind Traders", "Contoso Bank", "Fabrikam", "Tyrell Energy", "Cyberdyne Systems",
        "Soylent Foods", "Oceanic Airlines", "Vandelay Industries", "Hooli", "Pied Piper", "Massive Dynamic"};
    private static final String[] MOVES = {"rose", "fell", "jumped", "slumped", "edged higher", "edged lower",
        "rallied", "tumbled", "were little changed", "hit a record high", "dropped to a two-year low"};
    private static final String[] CAUSES = {"after quarterly earnings beat estimates", "after the company cut its"
        + " full-year guidance", "on news of a takeover approach", "as regulators opened an investigation",
        "after a surprise dividend increase", "amid concerns over rising input costs", "after the chief executive"
        + " resigned", "following a credit rating downgrade", "on strong demand in Asia", "after a profit warning",
        "as bond yields climbed", "after announcing a share buyback", "on weaker-than-expected sales"};
    private static final String[] DETAILS = {"Analysts had expected revenue of %d million dollars for the quarter.",
        "The company said margins would remain under pressure for at least %d months.",
        "Trading volume was %d percent above the thirty-day average.",
        "The board approved a buyback programme worth up to %d million euros.",
        "Management reiterated its target of %d percent annual growth through the end of the decade.",
        "Credit default swaps on the company's debt widened by %d basis points.",
        "The stock has gained %d percent since the start of the year, outperforming the benchmark index.",
        "Several brokers lowered their price targets, citing a slowdown in order intake over %d weeks.",
        "The firm expects to close the acquisition within %d months, subject to regulatory approval.",
        "Inventory levels rose for the %dth consecutive quarter, according to the filing."};

    private SyntheticFinancialText() {
    }

    /**
     * {@code count} texts: 60% headlines (about 10 to 25 tokens), 30% summaries (about 40 to 120), 10% articles (about
     * 150 to 600 tokens).
     */
    public static List<String> mixed(int count, long seed) {
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(10);
            if (kind < 6) {
                texts.add(headline(random));
            } else if (kind < 9) {
                texts.add(passage(random, 2 + random.nextInt(5)));
            } else {
                texts.add(passage(random, 8 + random.nextInt(25)));
            }
        }
        return texts;
    }

    /** A passage of at least {@code sentences} sentences, for building texts of a given token length. */
    public static String passage(Random random, int sentences) {
        StringBuilder text = new StringBuilder(headline(random)).append('.');
        for (int s = 1; s < sentences; s++) {
            text.append(' ').append(String.format(DETAILS[random.nextInt(DETAILS.length)], 2 + random.nextInt(400)));
        }
        return text.toString();
    }

    private static String headline(Random random) {
        return COMPANIES[random.nextInt(COMPANIES.length)] + " shares " + MOVES[random.nextInt(MOVES.length)] + " "
                + (1 + random.nextInt(19)) + "." + random.nextInt(10) + "% " + CAUSES[random.nextInt(CAUSES.length)];
    }
}
