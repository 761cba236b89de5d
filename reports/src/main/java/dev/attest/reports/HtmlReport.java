package dev.attest.reports;

import dev.attest.reports.html.CoverageSection;
import dev.attest.reports.html.DayChart;
import dev.attest.reports.html.FindingsTable;
import dev.attest.reports.html.Html;
import dev.attest.reports.html.MoneySection;
import dev.attest.reports.html.PeriodSection;
import dev.attest.reports.html.PolicyTimeline;
import dev.attest.reports.html.RiskSection;
import dev.attest.reports.html.TotalsSection;

/**
 * A self-contained report.html for people: no scripts, styles or fonts from the network, charts as inline
 * SVG, every value from the data escaped. The same data always gives the same bytes (no clock is read), so
 * the report can be verified like the run's other outputs.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static String render(ReportData d) {
        RunSummary s = d.summary();
        StringBuilder h = new StringBuilder(64 * 1024 + d.findings().size() * 600);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                // No request may leave the page: a report opened from an evidence folder must not call out.
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; ")
                .append("script-src 'unsafe-inline'; img-src data:\">")
                .append("<title>Attest audit ").append(esc(s.runId())).append("</title><style>").append(STYLE).append("</style></head><body>\n");
        h.append("<header><h1>Attest audit</h1><p class=\"muted\">run <code>").append(esc(s.runId())).append("</code> &middot; ")
                .append(esc(s.programVersion())).append(" &middot; as of ").append(d.asOf());
        if (d.windowFrom() != null || d.windowTo() != null)
            h.append(" &middot; window ").append(d.windowFrom() == null ? "&hellip;" : d.windowFrom().toString()).append(" to ")
                    .append(d.windowTo() == null ? "&hellip;" : d.windowTo().toString());
        h.append("</p><nav><a href=\"#money\">money</a> <a href=\"#totals\">totals</a> ")
                .append(d.since() == null ? "" : "<a href=\"#since\">since the previous run</a> ")
                .append("<a href=\"#risk\">amount at risk</a> <a href=\"#per-day\">per day</a> ")
                .append(d.periods().isEmpty() ? "" : "<a href=\"#periods\">billing periods</a> ")
                .append("<a href=\"#timeline\">policy timeline</a> <a href=\"#lineage\">lineage</a> <a href=\"#findings\">findings</a> <a href=\"#glossary\">codes</a></nav></header>\n");
        MoneySection.append(h, d);
        TotalsSection.append(h, d);
        dev.attest.reports.html.SinceSection.append(h, d);
        RiskSection.append(h, d);
        DayChart.append(h, d.days());
        PeriodSection.append(h, d.periods());
        PolicyTimeline.append(h, d.policies(), d.asOf(), d.windowFrom(), d.windowTo());
        CoverageSection.append(h, d);
        FindingsTable.append(h, d);
        dev.attest.reports.html.Glossary.append(h, d.codes());
        h.append("<p class=\"muted\">Every finding is in findings.parquet and findings.csv beside this file; the re-rated expectations are ")
                .append("in expected.parquet; money.csv the money per customer, meter, invoice and day; summary.json has the totals, manifest.json the SHA-256 of every input and output.</p>\n");
        h.append("<script>").append(SCRIPT).append("</script></body></html>\n");
        return h.toString();
    }

    /** HTML-escapes text for element content and quoted attribute values. */
    public static String esc(String s) {
        return Html.esc(s);
    }

    static final String STYLE = String.join("",
            "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:1.5rem 2rem;color:#1d2330;max-width:1400px}",
            "h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde}h3{font-size:1rem;margin:1rem 0 .2rem}",
            "nav a{margin-right:.8rem}table{border-collapse:collapse;font-size:.88rem;margin-bottom:.8rem}caption{text-align:left;font-weight:600;padding:.3rem 0}",
            "th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eef;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}",
            "td.t{white-space:nowrap}.cols{display:flex;flex-wrap:wrap;gap:2rem;align-items:flex-start}.muted{color:#667}.note{background:#fff8e1;padding:.4rem .6rem}",
            ".sev-critical{color:#a40000;font-weight:600}.sev-error{color:#c0392b}.sev-warning{color:#b7791f}.sev-info{color:#2b6cb0}",
            ".status{display:inline-block;padding:.2rem .6rem;border-radius:4px;font-weight:600}.pass{background:#e6f4ea;color:#1e6b34}.fail{background:#fde8e8;color:#a40000}",
            "tr.rest td{color:#667;font-style:italic}svg.chart{width:100%;height:auto;max-width:960px;display:block}",
            "svg .grid{stroke:#e4e6ee;stroke-width:1}svg .axis{stroke:#889;stroke-width:1}svg .tick{font-size:11px;fill:#556}svg .label{font-size:12px;fill:#1d2330}",
            ".bar-critical{fill:#a40000}.bar-error{fill:#e0533d}.bar-warning{fill:#e3a008}.bar-info{fill:#4a7fc1}",
            "svg .ver{fill:#6b8fd6}svg .ver.corr{fill:#e58a2b;stroke:#9c4f00;stroke-width:1.5;stroke-dasharray:4 2}",
            "svg .ver.open{opacity:.75}svg .switch{stroke:#333;stroke-width:1.2;stroke-dasharray:5 3}svg .recorded{fill:#333}",
            "svg .window{fill:#eef1f8}svg .asof{stroke:#c0392b;stroke-width:1.5}svg .asof-label{fill:#c0392b}",
            ".key.switch{border-bottom:2px dashed #333}.key.corr{background:#e58a2b;color:#fff;padding:0 .3rem;border:1px dashed #9c4f00}",
            ".meter{display:inline-block;width:60px;height:8px;background:#fde8e8;vertical-align:middle}.meter span{display:block;height:8px;background:#3c9a5f}",
            ".filters{margin:.5rem 0}.filters input{width:22rem;padding:.2rem}#findings-table{width:100%}tr[hidden]{display:none}",
            "div.scroll{overflow-x:auto}#findings-table td{font-size:.8rem}#findings-table td.x{min-width:16rem;max-width:34rem}",
            "code.cmd{display:block;font-size:.78rem;user-select:all;word-break:break-all;background:#f3f4f8;padding:.1rem .3rem;min-width:10rem;max-width:16rem}",
            "details.explain summary{cursor:pointer;color:#2b6cb0}details.param pre{white-space:pre-wrap;max-width:40rem;font-size:.8rem}",
            "td.st{white-space:normal;min-width:8rem}.st{white-space:nowrap}.st-new{color:#a40000}.st-acknowledged{color:#2b6cb0}.st-accepted{color:#1e6b34}.st-acceptance-expired{color:#a40000;font-weight:600}",
            ".decision-note{font-size:.8rem;color:#445}ul.notes{color:#445}table.narrow{min-width:20rem}");

    /** Filters the findings table as one types: every cell's text, the severity and the lifecycle status. */
    static final String SCRIPT = String.join("\n", "",
            "(function () {",
            "  var q = document.getElementById('q');",
            "  if (!q) return;",
            "  var sev = document.getElementById('sev'), st = document.getElementById('st'), shown = document.getElementById('shown');",
            "  var rows = document.querySelectorAll('#findings-table tbody tr');",
            "  var text = [];",
            "  for (var i = 0; i < rows.length; i++) text.push(rows[i].textContent.toLowerCase());",
            "  function apply() {",
            "    var t = q.value.trim().toLowerCase(), s = sev.value, l = st ? st.value : '', n = 0;",
            "    for (var i = 0; i < rows.length; i++) {",
            "      var r = rows[i];",
            "      var ok = (!t || text[i].indexOf(t) >= 0) && (!s || r.getAttribute('data-sev') === s)",
            "          && (!l || r.getAttribute('data-status') === l);",
            "      r.hidden = !ok;",
            "      if (ok) n++;",
            "    }",
            "    shown.textContent = String(n);",
            "  }",
            "  q.addEventListener('input', apply);",
            "  sev.addEventListener('change', apply);",
            "  if (st) st.addEventListener('change', apply);",
            "})();",
            "");
}
