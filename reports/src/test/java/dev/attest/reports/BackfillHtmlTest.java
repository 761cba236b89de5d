package dev.attest.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A backfill preview's report.html from fixed records, pinned byte for byte by a golden file (regenerate with
 * {@code -Dattest.updateGolden=true}, as for the audit report, and look at the diff and at the file in a browser).
 */
class BackfillHtmlTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/backfill-preview.html");

    static BackfillPreview preview() {
        Map<String, Long> events = new LinkedHashMap<>();
        events.put("in_window", 1200L);
        events.put("to_correct", 3L);
        events.put("restated_unchanged", 1L);
        events.put("disagreeing_out_of_scope", 2L);
        Map<String, Long> findings = new LinkedHashMap<>();
        findings.put("AMOUNT_MISMATCH", 2L);
        findings.put("MISSING_DECISION", 0L);
        findings.put("RETROACTIVE_CORRECTION", 3L);
        return new BackfillPreview("0c44f654fd12", "attest 1.0.0-test", Instant.parse("2026-02-01T00:00:00Z"), Instant.parse("2026-03-01T00:00:00Z"),
                Instant.parse("2026-03-10T00:00:00Z"), "correction", events,
                List.of(new BackfillPreview.Total("USD", 2, 3, new BigDecimal("12.500000000"), new BigDecimal("10.250000000"),
                        new BigDecimal("-2.250000000"), new BigDecimal("-3.000000000"), new BigDecimal("0.750000000"))),
                List.of("price-api@v3"), findings,
                List.of(new BackfillPreview.Line("acme <corp>", "api_calls", "2026-02-01", "inv-7", "USD", 2, 1, new BigDecimal("10.000000000"),
                                new BigDecimal("7.000000000"), new BigDecimal("-3.000000000"), "price-api@v2", "price-api@v3", "price-api@v3"),
                        new BackfillPreview.Line("globex", "api_calls", "2026-02-15", null, "USD", 1, 0, new BigDecimal("2.500000000"),
                                new BigDecimal("3.250000000"), new BigDecimal("0.750000000"), "price-api@v2", "price-api@v3", "price-api@v3")),
                2, "attest backfill --events /data/events --decisions /data/decisions --policies /data/policies --from 2026-02-01T00:00:00Z "
                        + "--to 2026-03-01T00:00:00Z --as-of 2026-03-10T00:00:00Z --out /data/backfills --apply --preview 0c44f654fd12");
    }

    @Test
    void rendersTheGoldenFileByteForByte() throws Exception {
        String html = BackfillHtml.render(preview());
        if (Boolean.getBoolean("attest.updateGolden")) Files.writeString(GOLDEN, html, StandardCharsets.UTF_8);
        assertThat(html).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }

    @Test
    void theAuditReportsLookEveryValueEscapedAndNothingFromTheNetwork() {
        String html = BackfillHtml.render(preview());
        assertThat(html).contains(HtmlReport.STYLE, "id=\"totals\"", "id=\"versions\"", "id=\"events\"", "id=\"impact-table\"", "id=\"apply\"");
        assertThat(html).contains("acme &lt;corp&gt;").doesNotContain("acme <corp>");
        assertThat(html).contains("<td class=\"n\">USD 12.50</td>", "<td class=\"n\">USD -2.25</td>", "<td class=\"n\">USD +0.75</td>")
                .as("amounts in minor units, not 9 decimals").doesNotContain("12.500000000");
        assertThat(html).contains("--apply --preview 0c44f654fd12", "<code>price-api@v3</code>", "no invoice");
        assertThat(html).doesNotContain("src=", "<link", "@import", "url(", "<script");
        assertThat(BackfillHtml.render(preview())).isEqualTo(html);
    }
}
