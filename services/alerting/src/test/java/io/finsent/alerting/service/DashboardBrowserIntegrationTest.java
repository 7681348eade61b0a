package io.finsent.alerting.service;

import static io.finsent.alerting.service.TestSupport.ADMIN_KEY;
import static io.finsent.alerting.service.TestSupport.MINUTE;
import static io.finsent.alerting.service.TestSupport.newAnalyst;
import static io.finsent.alerting.service.TestSupport.scored;
import static io.finsent.alerting.service.TestSupport.subscribe;
import static io.finsent.alerting.service.TestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jdbi.v3.core.Jdbi;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.service.api.AlertStream;
import io.finsent.alerting.store.AlertTable;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.common.Topics;
import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import io.finsent.schema.Sentiment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The dashboard in a real browser (Debian's headless Chromium through chromedriver) against the real service:
 * a topic's chart is drawn from exactly the trend windows PostgreSQL holds for it, an alert fired by a
 * negative surge appears in the live feed through the server-sent event stream, without a reload, and a backtest
 * run in its view shows the counts the API answers.
 * Skipped, with the reason, where chromium or chromium-driver is not installed (.ci/run installs them).
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DashboardBrowserIntegrationTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String BOOTSTRAP = SharedLocalStack.get().bootstrapServers();
    private static final String JDBC = SharedLocalStack.get().jdbcUrl();
    private static final String USER = SharedLocalStack.get().jdbcUser();
    private static final Jdbi STORE = AlertingStore.jdbi(JDBC, USER);
    private static final int TEXTS_PER_MINUTE = 20;
    private static final String STRICT = "{\"negativeShareSigmas\": 20, \"volumeFactor\": 100}";
    // Kept so the level holds: Selenium warns on every start that it has no CDP classes for this Chromium (unused here).
    private static final Logger SELENIUM_LOG = Logger.getLogger("org.openqa.selenium");

    @TestHTTPResource("/")
    URL dashboard;

    @Inject
    AlertStream alertStream;

    private ChromeDriver browser;

    @BeforeEach
    void startBrowser() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: the dashboard browser test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "); install them with: apt-get install -y chromium chromium-driver (.ci/run does)");
        SELENIUM_LOG.setLevel(Level.SEVERE);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void theChartShowsTheStoredWindowsAndAFiringAlertArrivesInTheLiveFeed() throws Exception {
        // Given an analyst subscribed to a topic with ten ordinary minutes (20 texts a minute, 2 of them negative),
        // published as scored texts and closed by the trend topology
        String topic = unique("dash");
        TestSupport.Analyst analyst = newAnalyst("dana");
        long subscription = subscribe(analyst, "{\"topic\": \"" + topic + "\", \"min_severity\": \"INFO\"}");
        long base = firstMinute();
        for (int minute = 0; minute < 10; minute++) {
            publishMinute(topic, base + minute * MINUTE, 2);
        }
        closeWindowsBefore(topic, base + 10 * MINUTE, "ten trend windows",
                () -> liveWindows(topic).size() == 10);

        // When the analyst opens the dashboard, first with a wrong key, then with theirs, and picks the topic
        browser.get(dashboard.toString());
        signIn("fsk_not-a-key");
        waitFor("the refused key reported", ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "API key was refused"));
        signIn(analyst.key());
        waitFor("the analyst signed in", ExpectedConditions.textToBePresentInElementLocated(By.id("whoami"), "dana"));
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
        waitFor("the topic listed", ExpectedConditions.elementToBeClickable(By.cssSelector("#topics button[data-topic='" + topic + "']")))
                .click();
        waitFor("the topic's chart drawn", ExpectedConditions.and(
                ExpectedConditions.attributeToBe(By.id("chart"), "data-topic", topic),
                ExpectedConditions.attributeToBe(By.id("chart"), "data-state", "drawn")));

        // Then the chart holds one point per window PostgreSQL holds for the topic, with their volume, from the first one
        List<TrendWindowTable.Trend> stored = liveWindows(topic);
        WebElement chart = browser.findElement(By.id("chart"));
        assertThat(stored).hasSize(10);
        assertThat(chart.getDomAttribute("data-points")).isEqualTo("10");
        assertThat(chart.getDomAttribute("data-texts")).isEqualTo(String.valueOf(stored.stream().mapToLong(TrendWindowTable.Trend::count).sum()));
        assertThat(script("return window.finsent.chart.pointCount()")).isEqualTo(10L);
        assertThat(script("return window.finsent.chart.plot.data[0][0] * 1000"))
                .isEqualTo(stored.get(0).windowStart().toEpochMilli());
        assertThat(chart.findElements(By.cssSelector("canvas"))).isNotEmpty();
        // ... on a time axis spanning exactly the chosen range (the default: the last 24 hours), not the windows' own span
        long from = Long.parseLong(chart.getDomAttribute("data-from"));
        long to = Long.parseLong(chart.getDomAttribute("data-to"));
        assertThat(to - from).isEqualTo(24 * 60 * MINUTE);
        assertThat(script("return window.finsent.chart.axisRange()")).isEqualTo(List.of(from, to));
        // ... the subscription is listed, and the feed shows no alert of the topic yet
        assertThat(browser.findElements(By.cssSelector("#subscriptions tr[data-subscription-id='" + subscription + "']"))).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("#alert-feed li[data-topic='" + topic + "']"))).isEmpty();
        // ... and, with no alert yet, it says when one comes and what to do
        WebElement placeholder = waitFor("the empty feed's note", ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#alert-feed li.placeholder")));
        assertThat(placeholder.getText()).contains("No alerts for your subscriptions yet").contains("./monitor up")
                .contains("every 15 minutes").contains("Add one under Subscriptions");

        // When, with the feed's stream open, three minutes of the topic turn 80 % negative
        waitFor("the live alert stream open", ExpectedConditions.attributeToBe(By.id("stream-status"), "data-state", "open"));
        TestSupport.await("the service reading alert.events", Duration.ofSeconds(30), alertStream::positioned);
        script("window.__sameDocument = 'before the surge'");
        for (int minute = 10; minute < 13; minute++) {
            publishMinute(topic, base + minute * MINUTE, 16);
        }
        closeWindowsBefore(topic, base + 13 * MINUTE, "the negative-share alert firing",
                () -> negativeShareAlerts(analyst, topic).stream().filter(a -> a.firedAt() != null).count() == 1);
        String alertId = negativeShareAlerts(analyst, topic).get(0).alertId();

        // Then its transitions arrive in the feed, newest first, in the same page (no reload)
        By firing = By.cssSelector("#alert-feed li[data-alert-id='" + alertId + "'][data-state='FIRING'][data-source='stream']");
        waitFor("the FIRING alert in the live feed", ExpectedConditions.presenceOfElementLocated(firing));
        assertThat(browser.findElement(firing).getText()).contains(topic).contains("NEGATIVE_SHARE").contains("FIRING");
        List<String> states = browser.findElements(By.cssSelector("#alert-feed li[data-alert-id='" + alertId + "']")).stream()
                .map(li -> li.getDomAttribute("data-state")).toList();
        assertThat(states).containsSubsequence("FIRING", "PENDING");
        assertThat(script("return window.__sameDocument")).isEqualTo("before the surge");

        // And the alert opens with its evidence: the texts the API names, in its order, shown with their source
        List<List<String>> evidence = new java.util.ArrayList<>(List.of(List.of()));
        String[] last = new String[1];
        try {
            TestSupport.await("every text of the alert's windows stored", Duration.ofSeconds(30), () -> {
                last[0] = given().header("X-Api-Key", analyst.key()).get("/v1/alerts/" + alertId).then().statusCode(200).extract().asString();
                var answer = new io.restassured.path.json.JsonPath(last[0]);
                Instant evidenceFrom = Instant.parse(answer.getString("evidence.from"));
                Instant evidenceTo = Instant.parse(answer.getString("evidence.to"));
                long counted = liveWindows(topic).stream()
                        .filter(w -> !w.windowStart().isBefore(evidenceFrom) && w.windowStart().isBefore(evidenceTo))
                        .mapToLong(TrendWindowTable.Trend::count).sum();
                evidence.set(0, answer.getList("evidence.texts.id", String.class));
                return answer.getLong("evidence.texts_in_windows") == counted; // as many as its trend windows counted
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the alert: " + last[0], e);
        }
        assertThat(evidence.get(0)).hasSizeGreaterThanOrEqualTo(3).allSatisfy(id -> assertThat(id).startsWith(topic));
        browser.findElement(firing).findElement(By.tagName("button")).click();
        waitFor("the alert's evidence", ExpectedConditions.numberOfElementsToBe(By.cssSelector("#alert-evidence li[data-text-id]"),
                evidence.get(0).size()));
        assertThat(browser.findElements(By.cssSelector("#alert-evidence li[data-text-id]")).stream().map(li -> li.getDomAttribute("data-text-id"))
                .toList()).isEqualTo(evidence.get(0));
        assertThat(browser.findElement(By.cssSelector("#alert-evidence li[data-text-id]")).getText()).contains("test");
        // ... and "Why?" asks for a text's explanation: this service has no scorer to compute it, and says what to set
        browser.findElement(By.cssSelector("#alert-evidence li[data-text-id] button.why")).click();
        waitFor("the explanation's refusal", ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#alert-evidence li[data-text-id] .explanation"), "alerting.explain.scorer-url"));
        assertThat(browser.findElement(By.cssSelector("#alert-evidence li[data-text-id] .explanation")).getDomAttribute("data-state"))
                .isEqualTo("error");
        browser.findElement(By.cssSelector("#alert-detail button[value='close']")).click();

        // And on a range of the topic's fifteen minutes, clicking the fourth bar lists that window's texts, those the API answers
        script("Object.assign(window.finsent.view, {preset: null, from: arguments[0], to: arguments[1]}); window.finsent.refresh()",
                base, base + 15 * MINUTE);
        waitFor("the chart of fifteen minutes", ExpectedConditions.and(ExpectedConditions.attributeToBe(By.id("chart"), "data-state", "drawn"),
                ExpectedConditions.attributeToBe(By.id("chart"), "data-to", String.valueOf(base + 15 * MINUTE))));
        long fourth = base + 3 * MINUTE;
        Number offset = (Number) script("const u = window.finsent.chart.plot; return u.valToPos(arguments[0] / 1000, 'x') - u.over.clientWidth / 2",
                fourth);
        new Actions(browser).moveToElement(browser.findElement(By.cssSelector("#chart .u-over")), offset.intValue(), 0).click().perform();
        waitFor("the window's texts", ExpectedConditions.attributeToBe(By.id("window-texts"), "data-window-start", String.valueOf(fourth)));
        List<String> windowTexts = given().header("X-Api-Key", analyst.key()).queryParam("topic", topic).queryParam("from", Instant.ofEpochMilli(fourth).toString())
                .queryParam("to", Instant.ofEpochMilli(fourth + MINUTE).toString()).queryParam("limit", 100).get("/v1/texts").then().statusCode(200)
                .extract().jsonPath().getList("texts.id", String.class);
        assertThat(windowTexts).hasSize(TEXTS_PER_MINUTE);
        waitFor("all of the window's texts listed", ExpectedConditions.numberOfElementsToBe(By.cssSelector("#window-texts li[data-text-id]"),
                windowTexts.size()));
        assertThat(textIds("#window-texts")).isEqualTo(windowTexts);

        // And the search box finds the texts the API finds for the same words, run, range and topic
        browser.findElement(By.id("search-q")).sendKeys(topic);
        browser.findElement(By.id("search-topic-only")).click();
        browser.findElement(By.cssSelector("#search-form button[type='submit']")).click();
        waitFor("the search results", ExpectedConditions.attributeToBe(By.id("search-results"), "data-q", topic));
        List<String> found = given().header("X-Api-Key", analyst.key()).queryParam("q", topic).queryParam("topic", topic)
                .queryParam("from", Instant.ofEpochMilli(base).toString()).queryParam("to", Instant.ofEpochMilli(base + 15 * MINUTE).toString())
                .queryParam("limit", 50).get("/v1/texts").then().statusCode(200).extract().jsonPath().getList("texts.id", String.class);
        assertThat(found).hasSize(50);
        waitFor("fifty results listed", ExpectedConditions.numberOfElementsToBe(By.cssSelector("#search-results li[data-text-id]"), 50));
        assertThat(textIds("#search-results")).isEqualTo(found);
        script("Object.assign(window.finsent.view, {preset: '24h'})");

        // And with the alert firing, the topic list puts topics with a firing alert first (ours among them), then the
        // others by their texts in the range, most first
        script("window.finsent.refresh()");
        waitFor("our topic marked firing", ExpectedConditions.attributeToBe(
                By.cssSelector("#topics button[data-topic='" + topic + "']"), "data-firing", "true"));
        // (read in one script: the list may be rendered again between two WebDriver calls)
        @SuppressWarnings("unchecked")
        List<List<String>> buttons = (List<List<String>>) script("return [...document.querySelectorAll('#topics button[data-topic]')]"
                + ".map(b => [b.dataset.firing, b.dataset.count])");
        List<Boolean> firingFlags = buttons.stream().map(b -> Boolean.parseBoolean(b.get(0))).toList();
        assertThat(firingFlags.indexOf(false) == -1 || !firingFlags.subList(firingFlags.indexOf(false), firingFlags.size()).contains(true))
                .as("firing topics first: %s", firingFlags).isTrue();
        List<Long> calmCounts = buttons.stream().filter(b -> !Boolean.parseBoolean(b.get(0))).map(b -> Long.parseLong(b.get(1))).toList();
        assertThat(calmCounts).isSortedAccordingTo(java.util.Comparator.reverseOrder());

        // And the bootstrap admin key, which subscribes to nothing, sees the alert too (read only)
        browser.findElement(By.id("sign-out")).click();
        signIn(ADMIN_KEY);
        waitFor("the admin signed in", ExpectedConditions.textToBePresentInElementLocated(By.id("whoami"), "admin"));
        waitFor("the alert in the admin's feed", ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#alert-feed li[data-alert-id='" + alertId + "'][data-state='FIRING']")));
    }

    @Test
    void aBacktestRunInItsViewShowsTheCountsTheApiAnswers() throws Exception {
        // Given a run in which one topic surges and another stays calm, and an analyst
        String run = unique("dash-bt");
        String surging = unique("surging");
        String calm = unique("calm");
        TestSupport.insertWindows(JDBC, USER, run, TestSupport.surgeAndCalm(surging, calm, Instant.parse("2025-06-02T09:00:00Z").toEpochMilli()));
        TestSupport.Analyst analyst = newAnalyst("bert");

        // When they pick the run in the backtest view, make its rule set strict and run it
        browser.get(dashboard.toString());
        signIn(analyst.key());
        waitFor("the run offered", ExpectedConditions.presenceOfElementLocated(By.cssSelector("#backtest-run option[value='" + run + "']")));
        new Select(browser.findElement(By.id("backtest-run"))).selectByValue(run);
        WebElement params = waitFor("the rule set prefilled with the defaults",
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#backtest-sets textarea[name='params']")));
        assertThat(RuleParams.fromJson(params.getDomProperty("value"))).isEqualTo(RuleParams.defaults());
        params.clear();
        params.sendKeys(STRICT);
        browser.findElement(By.id("backtest-submit")).click();
        waitFor("the backtest shown", ExpectedConditions.attributeToBe(By.id("backtest-result"), "data-state", "done"));

        // Then every count shown is the API's answer to the same request, the defaults beside the strict set
        JsonNode answer = new ObjectMapper().readTree(given().header("X-Api-Key", analyst.key()).contentType("application/json")
                .body("{\"run\": \"" + run + "\", \"rule_sets\": {\"candidate\": " + STRICT + "}}").post("/v1/backtests")
                .then().statusCode(200).extract().asString());
        assertThat(browser.findElement(By.id("backtest-result")).getDomAttribute("data-windows")).isEqualTo(answer.get("windows").asText());
        int cells = 0;
        for (JsonNode set : answer.get("ruleSets")) {
            int fired = 0;
            for (JsonNode topic : set.get("topics")) {
                for (var rule = topic.get("fired").fields(); rule.hasNext(); cells++) {
                    var count = rule.next();
                    fired += count.getValue().asInt();
                    assertThat(countCell(set.get("name").asText(), topic.get("topic").asText(), count.getKey()).getText())
                            .as("%s %s %s", set.get("name"), topic.get("topic"), count.getKey()).isEqualTo(count.getValue().asText());
                }
            }
            assertThat(browser.findElements(By.cssSelector(".backtest-timeline li[data-rule-set='" + set.get("name").asText()
                    + "'][data-state='FIRING']"))).hasSize(fired);
        }
        assertThat(browser.findElements(By.cssSelector("#backtest-counts td[data-rule]"))).hasSize(cells).hasSize(2 * 2 * 3);
        assertThat(countCell("default", surging, "NEGATIVE_SHARE").getText()).isEqualTo("1");
        assertThat(countCell("candidate", surging, "NEGATIVE_SHARE").getText()).isEqualTo("0");
        assertThat(countCell("default", calm, "NEGATIVE_SHARE").getText()).isEqualTo("0");
    }

    private WebElement countCell(String ruleSet, String topic, String rule) {
        return browser.findElement(By.cssSelector("#backtest-counts td[data-rule-set='" + ruleSet + "'][data-topic='" + topic + "'][data-rule='"
                + rule + "']"));
    }

    /** Types a key into the sign-in form and submits it. */
    /** The text ids a list shows, read in one script (it may be rendered again between two WebDriver calls). */
    @SuppressWarnings("unchecked")
    private List<String> textIds(String list) {
        return (List<String>) script("return [...document.querySelectorAll(arguments[0] + ' li[data-text-id]')].map(li => li.dataset.textId)", list);
    }

    private void signIn(String key) {
        WebElement field = waitFor("the key field", ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        field.clear();
        field.sendKeys(key);
        browser.findElement(By.id("sign-in")).click();
    }

    /** 20 scored texts spread over the minute starting at {@code start}, the first {@code negative} of them negative, the rest neutral. */
    private static void publishMinute(String topic, long start, int negative) throws Exception {
        for (int i = 0; i < TEXTS_PER_MINUTE; i++) {
            boolean isNegative = i < negative;
            TestSupport.publishScored(BOOTSTRAP, scored(topic + "-" + start + "-" + i, topic, start + i * 2_500L,
                    isNegative ? Sentiment.NEGATIVE : Sentiment.NEUTRAL, isNegative ? 0.9 : 0.1, isNegative ? 0.05 : 0.1));
        }
    }

    /**
     * Closes the windows ending at or before {@code end}: a neutral text 40 s after it moves stream time past the
     * 30 s grace. Kafka Streams checks for closed windows at most once a second of wall-clock time, so one such text
     * is sent a second until {@code done} holds; they all fall in the minute after {@code end}.
     */
    private static void closeWindowsBefore(String topic, long end, String what, Callable<Boolean> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int sent = 0;
        while (!done.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 60 s waiting for " + what + " (" + sent + " closing texts sent)");
            }
            TestSupport.publishScored(BOOTSTRAP, scored(unique(topic + "-closer"), topic, end + 40_000, Sentiment.NEUTRAL, 0.1, 0.1));
            sent++;
            long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_100);
            while (System.nanoTime() < next && !done.call()) {
                Thread.sleep(100);
            }
        }
    }

    /**
     * Where this test's texts start: five hours ago (inside the dashboard's default 24 h range), or after every text
     * already on text.scored, so that none of ours is late for a topic sharing a partition's stream time.
     */
    private static long firstMinute() {
        long latest = Long.MIN_VALUE;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(Topics.SCORED_TEXT.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = c.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> c.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    latest = Math.max(latest, r.timestamp());
                }
            }
        }
        long start = Math.max(System.currentTimeMillis() - 5 * 60 * MINUTE, latest == Long.MIN_VALUE ? Long.MIN_VALUE : latest + 2 * MINUTE);
        return start / MINUTE * MINUTE + MINUTE;
    }

    /** The topic's stored live windows, oldest first. */
    private static List<TrendWindowTable.Trend> liveWindows(String topic) {
        return STORE.onDemand(TrendWindowTable.class).trends("live", topic, TrendWindowTable.NO_START, TrendWindowTable.NO_END, 10_000);
    }

    /** The live NEGATIVE_SHARE alerts of the topic (the analyst subscribes to it). */
    private static List<AlertTable.Alert> negativeShareAlerts(TestSupport.Analyst analyst, String topic) {
        return STORE.onDemand(AlertTable.class).visible("live", analyst.id(), null, topic, 1000).stream()
                .filter(a -> a.rule().equals("NEGATIVE_SHARE")).toList();
    }

    private Object script(String js, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(js, args);
    }

    /** Waits up to 30 s; on timeout the failure holds what the page showed and the browser's console. */
    private <T> T waitFor(String what, ExpectedCondition<T> condition) {
        try {
            // The dashboard re-renders lists as data arrives: an element found a moment ago may be gone, so look again.
            return new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class).until(condition);
        } catch (TimeoutException e) {
            String console = browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(Object::toString)
                    .collect(Collectors.joining("\n  "));
            String errors = browser.findElements(By.cssSelector("#error, .panel-error")).stream().map(WebElement::getText)
                    .filter(t -> !t.isBlank()).collect(Collectors.joining(" | "));
            throw new AssertionError("timed out after 30 s waiting for " + what + "; page errors: [" + errors + "]; stream: "
                    + browser.findElement(By.id("stream-status")).getDomAttribute("data-state") + "; browser console:\n  " + console, e);
        }
    }
}
