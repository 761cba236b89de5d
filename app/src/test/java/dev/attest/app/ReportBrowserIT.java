package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.attest.generator.Generator;
import dev.attest.jobs.audit.AuditRequest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * report.html of a real audit (generated faulty data, two nightly runs with an acknowledgement between them)
 * in a real headless Chromium: the sections and SVG charts render, typing in the search box filters the rows,
 * the severity and status filters work, the browser logs no error, and a screenshot is written to
 * {@code app/target/report-screenshot.png}. Skipped, saying why, without Chromium and ChromeDriver (paths from
 * ATTEST_CHROMIUM / ATTEST_CHROMEDRIVER, default /usr/bin/chromium and /usr/bin/chromedriver), unless
 * ATTEST_REQUIRE_BROWSER=1 makes that a failure.
 */
class ReportBrowserIT {
    static final Path SCREENSHOT = Path.of("target/report-screenshot.png");

    @TempDir
    Path tmp;

    /** A headless Chromium with its console log kept; skips (or fails, when required) without one. */
    private ChromeDriver browser() throws Exception {
        Path chromium = Path.of(env("ATTEST_CHROMIUM", "/usr/bin/chromium"));
        Path chromedriver = Path.of(env("ATTEST_CHROMEDRIVER", "/usr/bin/chromedriver"));
        String why = !Files.isExecutable(chromium) ? "no Chromium at " + chromium
                : !Files.isExecutable(chromedriver) ? "no ChromeDriver at " + chromedriver : null;
        if (why != null && "1".equals(System.getenv("ATTEST_REQUIRE_BROWSER"))) throw new IllegalStateException("ATTEST_REQUIRE_BROWSER=1 but " + why);
        assumeTrue(why == null, why);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return driver;
    }

    private static List<LogEntry> consoleErrors(ChromeDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    }

    @Test
    void theReportOfARealRunWorksInChromium() throws Exception {
        ChromeDriver driver = browser();
        try {
            Path report = auditTwoNights();
            driver.get(report.toUri().toString());
            assertThat(driver.getTitle()).startsWith("Attest audit");

            // The sections, with charts drawn as inline SVG.
            for (String id : List.of("verdict", "totals", "since", "risk", "per-day", "timeline", "lineage", "findings"))
                assertThat(driver.findElement(By.id(id)).isDisplayed()).as(id).isTrue();
            assertThat(driver.findElements(By.cssSelector("#day-chart g.day rect")).size()).as("bars per day").isGreaterThan(5);
            assertThat(driver.findElement(By.id("day-chart")).getSize().getHeight()).isGreaterThan(100);
            assertThat(driver.findElements(By.cssSelector("svg.timeline")).size()).as("a timeline per meter").isGreaterThan(1);
            assertThat(driver.findElements(By.cssSelector("svg.timeline rect.ver.corr"))).as("the generator's retroactive correction").isNotEmpty();
            assertThat(driver.findElements(By.cssSelector("svg.timeline line.switch"))).as("the scheduled mid-month change").isNotEmpty();
            assertThat(driver.findElement(By.id("coverage-overall")).getText()).endsWith("%");
            // Night two against night one (the same inputs and window): the same findings, still open.
            assertThat(driver.findElement(By.id("since")).getText()).contains("Against run", "0 new", "0 resolved", "still open");

            // The search box filters the rows as one types.
            List<WebElement> rows = driver.findElements(By.cssSelector("#findings-table tbody tr"));
            long missing = rows.stream().filter(r -> r.findElements(By.tagName("td")).stream().anyMatch(td -> td.getText().equals("MISSING_DECISION")))
                    .count();
            // The table fits the 1,400 px window, its status column first.
            Number right = (Number) ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                    "return document.getElementById('findings-table').getBoundingClientRect().right");
            assertThat(right.doubleValue()).as("the findings table's right edge").isLessThanOrEqualTo(1400);
            assertThat(driver.findElement(By.cssSelector("#findings-table thead th")).getText()).isEqualTo("status");
            assertThat(missing).isPositive().isLessThan(rows.size());
            WebElement q = driver.findElement(By.id("q"));
            q.sendKeys("missing_decision");
            assertThat(visible(rows)).as("rows left after typing").hasSize((int) missing)
                    .allSatisfy(r -> assertThat(r.getText()).containsIgnoringCase("MISSING_DECISION"));
            assertThat(driver.findElement(By.id("shown")).getText()).isEqualTo(String.valueOf(missing));
            q.clear();
            q.sendKeys(" ");
            q.sendKeys(org.openqa.selenium.Keys.BACK_SPACE);
            assertThat(visible(rows)).hasSize(rows.size());

            choose(driver, "sev", "critical");
            assertThat(visible(rows)).isNotEmpty().allSatisfy(r -> assertThat(r.getAttribute("data-sev")).isEqualTo("critical"));
            choose(driver, "sev", "all");
            choose(driver, "st", "acknowledged");
            assertThat(visible(rows)).hasSize(1).allSatisfy(r -> assertThat(r.getText()).contains("acknowledged", "on it since night one"));
            choose(driver, "st", "all");

            long height = (Long) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight");
            driver.manage().window().setSize(new Dimension(1400, (int) Math.min(height, 9000)));
            ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
            Files.createDirectories(SCREENSHOT.toAbsolutePath().getParent());
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
            System.out.println("report screenshot: " + SCREENSHOT.toAbsolutePath());

            assertThat(consoleErrors(driver)).as("browser console errors").isEmpty();
        } finally {
            driver.quit();
        }
    }

    /** A backfill preview's report.html (issue 15): the audit report's look, its sections render, the lines fit 1,400 px. */
    @Test
    void theBackfillPreviewReportWorksInChromium() throws Exception {
        ChromeDriver driver = browser();
        try {
            Path data = tmp.resolve("data");
            new Generator().generate(data, 3000, 7);
            GeneratedData generated = GeneratedData.read(data);
            AuditRequest r = generated.auditRequest(tmp.resolve("backfills"));
            List<String> args = new java.util.ArrayList<>(List.of("backfill", "--events", data.resolve("events").toString(), "--decisions",
                    data.resolve("decisions").toString(), "--policies", data.resolve("policies").toString(), "--from", r.from().toString(), "--to",
                    r.to().toString(), "--as-of", r.asOf().toString(), "--out", tmp.resolve("backfills").toString(), "--metadata",
                    Metadata.h2(tmp.resolve("meta-backfill"))));
            if (r.customers() != null) args.addAll(List.of("--customers", r.customers()));
            ScenarioIT.Run run = ScenarioIT.Run.of(args.toArray(String[]::new));
            assertThat(run.exit()).as(run.stderr()).isZero();
            Path report = Path.of(run.lastStdoutLine()).resolve("report.html");
            driver.get(report.toUri().toString());
            assertThat(driver.getTitle()).startsWith("Attest backfill preview");
            for (String id : List.of("verdict", "totals", "versions", "events", "lines", "apply"))
                assertThat(driver.findElement(By.id(id)).isDisplayed()).as(id).isTrue();
            assertThat(driver.findElements(By.cssSelector("#impact-table tbody tr"))).as("the generated correction's lines").isNotEmpty();
            Number right = (Number) driver.executeScript("return document.getElementById('impact-table').getBoundingClientRect().right");
            assertThat(right.doubleValue()).as("the impact table's right edge").isLessThanOrEqualTo(1400);
            assertThat(driver.findElement(By.cssSelector("#apply code.cmd")).getText()).contains("--apply --preview");
            long height = (Long) driver.executeScript("return document.documentElement.scrollHeight");
            driver.manage().window().setSize(new Dimension(1400, (int) Math.min(height, 9000)));
            Path shot = Path.of("target/backfill-preview-screenshot.png");
            Files.createDirectories(shot.toAbsolutePath().getParent());
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
            System.out.println("backfill preview screenshot: " + shot.toAbsolutePath());
            assertThat(consoleErrors(driver)).as("browser console errors").isEmpty();
        } finally {
            driver.quit();
        }
    }

    /** Picks an option of a select by its text, as a person would. */
    private static void choose(ChromeDriver driver, String select, String text) {
        driver.findElement(By.xpath("//select[@id='" + select + "']/option[normalize-space(.)='" + text + "']")).click();
    }

    /** Ids that are markup: the report must show them as text, and nothing of them may run. */
    @Test
    void hostileValuesFromTheDataAreShownAsTextAndNeverRun() throws Exception {
        ChromeDriver driver = browser();
        try {
            String event = "e1<script>window.pwned=1</script>";
            String customer = "c1<img src=x onerror=window.pwned=2>";
            Path events = Files.writeString(tmp.resolve("events.csv"), "event_id,customer_id,meter,quantity,event_time\n"
                    + event + "," + customer + ",sms,1,2026-01-03T00:00:00Z\n");
            Path decisions = Files.writeString(tmp.resolve("decisions.csv"), "decision_id,event_id,customer_id,meter,outcome,amount,currency,"
                    + "price_policy_id,price_version,decided_at,invoice_id\n\"d1'\"\"&\"," + event + "," + customer
                    + ",sms,charged,9.99,USD,price-sms,2,2026-02-11T00:00:00Z,i1\n");
            ScenarioIT.Run run = ScenarioIT.Run.of("audit", "--events", events.toString(), "--decisions", decisions.toString(), "--policies",
                    CliIT.SCENARIO.resolve("policies").toString(), "--out", tmp.resolve("runs").toString(), "--metadata",
                    Metadata.h2(tmp.resolve("meta")), "--as-of", "2026-03-01T00:00:00Z");
            assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
            driver.get(Path.of(run.lastStdoutLine()).resolve("report.html").toUri().toString());
            assertThat(driver.executeScript("return window.pwned === undefined")).isEqualTo(Boolean.TRUE);
            assertThat(driver.findElements(By.tagName("img"))).isEmpty();
            assertThat(driver.findElements(By.tagName("script"))).hasSize(1);
            List<WebElement> rows = driver.findElements(By.cssSelector("#findings-table tbody tr"));
            // Status, severity, code, then customer (with the meter below it): the customer's id shows as text.
            assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.findElements(By.tagName("td")).get(3).getText()).startsWith(customer));
            assertThat(driver.findElement(By.id("findings-table")).getText()).contains(event, "d1'\"&");
            assertThat(consoleErrors(driver)).as("browser console errors").isEmpty();
        } finally {
            driver.quit();
        }
    }

    private static List<WebElement> visible(List<WebElement> rows) {
        return rows.stream().filter(WebElement::isDisplayed).toList();
    }

    /** Two nightly audits of generated faulty data; one finding is acknowledged between them. Returns night two's report. */
    private Path auditTwoNights() throws Exception {
        Path data = tmp.resolve("data");
        new Generator().generate(data, 3000, 7);
        GeneratedData generated = GeneratedData.read(data);
        String metadata = Metadata.h2(tmp.resolve("meta"));
        AuditRequest first = generated.auditRequest(tmp.resolve("runs"));
        assertThat(AuditCommand.run(first, metadata)).isEqualTo(1);
        Path run1 = runFolder(first);
        String fp = LifecycleIT.fingerprint(run1, firstMissingDecisionEvent(run1));
        assertThat(Main.execute("ack", fp, "--note", "on it since night one", "--metadata", metadata)).isZero();
        AuditRequest second = new AuditRequest(first.events(), first.decisions(), first.policies(), first.outDir(), first.from(), first.to(),
                first.asOf().plus(Duration.ofDays(1)), first.tolerance(), first.lateAfter(), first.failOn(), first.assumeZone(),
                first.customers()); // the generated data's billing cycles, as on night one
        assertThat(AuditCommand.run(second, metadata)).isEqualTo(1);
        return runFolder(second).resolve("report.html");
    }

    /** The run id starts with the as-of (yyyyMMddTHHmmssZ). */
    private static Path runFolder(AuditRequest r) throws Exception {
        String prefix = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC).format(r.asOf());
        try (var dirs = Files.list(r.outDir())) {
            return dirs.filter(p -> p.getFileName().toString().startsWith(prefix + "-")).findFirst().orElseThrow();
        }
    }

    private static String firstMissingDecisionEvent(Path run) throws Exception {
        return Files.readAllLines(run.resolve("findings.csv")).stream().filter(l -> l.contains(",MISSING_DECISION,")).findFirst().orElseThrow()
                .split(",", -1)[4]; // run_id, fingerprint, code, severity, event_id
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
