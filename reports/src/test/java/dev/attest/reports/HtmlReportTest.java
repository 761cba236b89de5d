package dev.attest.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * report.html from fixed records. The golden file pins every byte, so a change of the report is a reviewed
 * change: regenerate it with {@code ./mvnw -o -q -pl reports -am test -Dtest=HtmlReportTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dattest.updateGolden=true} and look at the diff (and at the file in a browser).
 */
class HtmlReportTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/report.html");

    @Test
    void rendersTheGoldenFileByteForByte() throws Exception {
        String html = HtmlReport.render(ReportFixtures.small());
        if (Boolean.getBoolean("attest.updateGolden")) Files.writeString(GOLDEN, html, StandardCharsets.UTF_8);
        assertThat(html).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }

    @Test
    void theSameDataGivesTheSameBytes() {
        assertThat(HtmlReport.render(ReportFixtures.small())).isEqualTo(HtmlReport.render(ReportFixtures.small()));
    }

    @Test
    void everySectionIsThereWithoutAnythingFromTheNetwork() {
        String html = HtmlReport.render(ReportFixtures.small());
        assertThat(html).contains("id=\"totals\"", "id=\"risk\"", "id=\"per-day\"", "id=\"timeline\"", "id=\"lineage\"", "id=\"findings\"",
                "id=\"day-chart\"", "<svg class=\"chart timeline\"", "id=\"findings-table\"", "id=\"q\"");
        assertThat(html).doesNotContain("src=", "<link", "@import", "url(");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http:", "https:");
    }

    @Test
    void sinceThePreviousRunSaysNewResolvedAndStillOpen() {
        String html = HtmlReport.render(ReportFixtures.small());
        assertThat(html).contains("<a href=\"#since\">", "<section id=\"since\">", "Against run <code>run-9</code> (as of 2026-03-09T00:00:00Z): "
                + "<b>1 new</b>, <b>1 resolved</b>, <b>3 still open</b>", "<td>AMOUNT_MISMATCH</td><td class=\"n\">0</td><td class=\"n\">1</td><td class=\"n\">2</td>",
                "<code>fp00000000000009</code>");
        ReportData d = ReportFixtures.small();
        ReportData first = new ReportData(d.summary(), d.codes(), d.risk(), d.days(), d.policies(), d.coverage(), d.gaps(), d.findings(),
                d.totalFindings(), d.asOf(), d.windowFrom(), d.windowTo(), d.lifecycle(), d.lifecycleTotals(), d.runFolder(), d.periods(),
                SincePrevious.none());
        assertThat(HtmlReport.render(first)).contains("No earlier run of this scope is recorded");
        ReportData noStore = new ReportData(d.summary(), d.codes(), d.risk(), d.days(), d.policies(), d.coverage(), d.gaps(), d.findings(),
                d.totalFindings(), d.asOf(), d.windowFrom(), d.windowTo(), d.lifecycle(), d.lifecycleTotals(), d.runFolder(), d.periods(), null);
        assertThat(HtmlReport.render(noStore)).doesNotContain("id=\"since\"", "href=\"#since\"");
    }

    @Test
    void noWallClockTimeIsShown() {
        String html = HtmlReport.render(ReportFixtures.small());
        assertThat(html).doesNotContain("2026-03-10T01:00:00Z", "2026-03-10T01:00:05Z").contains("as of 2026-03-10T00:00:00Z");
    }

    @Test
    void correctionsAndVersionSwitchesAreMarked() {
        String html = HtmlReport.render(ReportFixtures.small());
        assertThat(count(html, "class=\"ver corr\"")).isEqualTo(1);
        assertThat(html).contains("a correction of an earlier-recorded version");
        // price-sms starts versions at Jan 1, Jan 10 (the correction) and Feb 1: two switches.
        assertThat(count(html, "<line class=\"switch\"")).isEqualTo(2);
        assertThat(count(html, "<path class=\"recorded\"")).isEqualTo(4);
    }

    @Test
    void eachSeverityHasItsOwnRowAndScaleSoThatFewCriticalOnesStayVisible() {
        String html = HtmlReport.render(ReportFixtures.small());
        // Jan 2: one critical and one error; Jan 5: one critical and one info: one bar per day and severity with findings.
        assertThat(count(html, "<g class=\"day\">")).isEqualTo(4);
        assertThat(html).contains("<title>2026-01-02: 1 critical (of 2 finding(s): critical 1, error 1, warning 0, info 0)",
                ">warning</text><text class=\"tick\" x=\"64\" y=\"", ">max 0</text>", ">none</text>");
        // The x axis still spans every day from the first to the last, days without findings included.
        assertThat(html).contains(">2026-01-03</text>", ">2026-01-04</text>");
    }

    @Test
    void eachFindingNamesItsExplainCommandAndLifecycle() {
        String html = HtmlReport.render(ReportFixtures.small());
        assertThat(row(html, "fp0000000000000a")).contains("attest explain run-20260310 --event e1", "acknowledged", "billing team on it",
                "first seen 2026-03-01, 9 d");
        assertThat(row(html, "fp0000000000000c")).contains("attest explain run-20260310 --event &#39;e 3&#39;", ">new<");
        assertThat(row(html, "fp0000000000000d")).contains("attest explain run-20260310 --decision d4", "acceptance expired (until 2026-03-05)");
        assertThat(row(html, "fp0000000000000b")).contains("accepted until 2026-03-31");
        assertThat(html).contains("1 more accepted as risk (not counted)");
    }

    @Test
    void everyValueFromTheDataIsEscaped() {
        String html = HtmlReport.render(ReportFixtures.hostile());
        assertThat(count(html, "<script")).as("only the report's own script").isEqualTo(1);
        assertThat(html).doesNotContain("alert('x')", "\"&'", "\u2028");
        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;&#39;&#8232;");
        // No attribute value can be closed early: every quote inside a tag is one we wrote.
        Matcher tags = Pattern.compile("<[a-z][^>]*>").matcher(html);
        while (tags.find()) assertThat(tags.group()).doesNotContain("'x'", "<script>alert", "\"&");
        // The script body is constant: no data inside it.
        String script = html.substring(html.indexOf("<script>"), html.indexOf("</script>"));
        assertThat(script).doesNotContain("alert", "&lt;");
    }

    @Test
    void aCappedTableSaysWhereTheRestIs() {
        ReportData d = ReportFixtures.small();
        ReportData more = new ReportData(d.summary(), d.codes(), d.risk(), d.days(), d.policies(), d.coverage(), d.gaps(), d.findings(), 12_345,
                d.asOf(), d.windowFrom(), d.windowTo(), d.lifecycle(), d.lifecycleTotals(), d.runFolder());
        assertThat(HtmlReport.render(more)).contains("The table lists the first 4 of 12345 findings", "findings.csv");
    }

    static String row(String html, String fingerprint) {
        Matcher m = Pattern.compile("<tr id=\"f-" + fingerprint + "\".*?</tr>").matcher(html);
        assertThat(m.find()).as("row of " + fingerprint).isTrue();
        return m.group();
    }

    static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
        return n;
    }

    @Test
    void showsTheWindowsEventsPerBillingPeriodNamedByItsLocalStartDate() {
        String html = HtmlReport.render(ReportFixtures.small());
        assertThat(html).contains("<section id=\"periods\"><h2>Billing periods</h2>", "href=\"#periods\"",
                "<tr><td class=\"t\">2026-01-15</td><td class=\"n\">1</td><td class=\"n\">40</td><td class=\"n\">1</td>");
        ReportData d = ReportFixtures.small();
        ReportData none = new ReportData(d.summary(), d.codes(), d.risk(), d.days(), d.policies(), d.coverage(), d.gaps(), d.findings(),
                d.totalFindings(), d.asOf(), d.windowFrom(), d.windowTo(), d.lifecycle(), d.lifecycleTotals(), d.runFolder());
        assertThat(HtmlReport.render(none)).doesNotContain("id=\"periods\"", "#periods");
    }
}
