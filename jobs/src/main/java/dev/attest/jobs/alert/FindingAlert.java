package dev.attest.jobs.alert;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alerts of findings that {@code attest stream} settled: one per finding (critical and error), or one summary when many
 * settle at once. {@code source} names the stream ({@code stream:GROUP-ID}), as the findings' run_id does.
 */
public sealed interface FindingAlert extends Alert {
    String source();

    default String subject() {
        return "source=" + source();
    }

    default Map<String, Object> scope() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source());
        return m;
    }

    /** One settled finding; {@code fingerprint} is findings.csv's, the key of at most one alert. */
    record Settled(String source, String fingerprint, String code, String severity, String customerId, String eventId, String decisionId,
                   String billingPeriod, String explanation) implements FindingAlert {
        public Settled {
            if (source == null || fingerprint == null || code == null || severity == null)
                throw new IllegalArgumentException("source, fingerprint, code and severity are required");
        }

        public String type() { return "finding"; }

        public String line() {
            return severity + " " + code + " fingerprint=" + fingerprint + " customer=" + customerId + (eventId == null ? "" : " event=" + eventId)
                    + (decisionId == null ? "" : " decision=" + decisionId) + ": " + explanation;
        }

        public Map<String, Object> details() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fingerprint", fingerprint);
            m.put("code", code);
            m.put("severity", severity);
            m.put("customer_id", customerId);
            m.put("event_id", eventId);
            m.put("decision_id", decisionId);
            m.put("billing_period", billingPeriod);
            m.put("explanation", explanation);
            return m;
        }
    }

    /** Instead of more than the stream's limit of single alerts arriving together: counts, and the first fingerprints. */
    record Summary(String source, long findings, Map<String, Long> codes, Map<String, Long> severities, List<String> firstFingerprints)
            implements FindingAlert {
        public Summary {
            if (source == null || findings < 1) throw new IllegalArgumentException("a summary has a source and findings");
            codes = Map.copyOf(codes);
            severities = Map.copyOf(severities);
            firstFingerprints = List.copyOf(firstFingerprints);
        }

        public String type() { return "finding_summary"; }

        public String line() {
            return findings + " finding(s) settled at once " + new java.util.TreeMap<>(severities) + " " + new java.util.TreeMap<>(codes) + "; first "
                    + firstFingerprints;
        }

        public Map<String, Object> details() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("findings", findings);
            m.put("codes", new java.util.TreeMap<>(codes));
            m.put("severities", new java.util.TreeMap<>(severities));
            m.put("first_fingerprints", firstFingerprints);
            return m;
        }
    }
}
