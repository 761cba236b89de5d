package dev.attest.io.checks;

import dev.attest.core.checks.Checks;
import dev.attest.core.findings.FindingCode;
import dev.attest.core.findings.MoneyClass;
import dev.attest.core.findings.Severity;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a checks file (issue 14), YAML or JSON (JSON is YAML too):
 *
 * <pre>
 * fail_on: error                 # lowest failing severity; --fail-on wins
 * severity:                      # per finding code
 *   LATE_DECISION: error
 * tolerance:
 *   default: 0.01                # --tolerance wins
 *   currency: {USD: 0.05, JPY: 1}
 *   meter: {api_calls: 0.10}     # a meter's tolerance wins over its currency's
 * thresholds:                    # each crossed one is a finding (THRESHOLD_*) that fails the run
 *   quarantine_rate_above: 0.01  # quarantined rows / input rows read, 0..1
 *   coverage_below: 0.95         # overall lineage coverage, 0..1
 *   money_above:
 *     USD: {overcharged: 100, unbilled: 50}
 * </pre>
 *
 * An unknown key or a bad value is a {@link ChecksException} naming the file and the key.
 */
public final class ChecksLoader {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Set<String> TOP = Set.of("fail_on", "severity", "tolerance", "thresholds");
    private static final Set<String> TOLERANCE = Set.of("default", "currency", "meter");
    private static final Set<String> THRESHOLDS = Set.of("quarantine_rate_above", "coverage_below", "money_above");

    /** A checks file that cannot be used: the message names the file and the key. */
    public static final class ChecksException extends IllegalArgumentException {
        public ChecksException(String message) {
            super(message);
        }
    }

    private ChecksLoader() {}

    /** The checks of {@code path}; null: none ({@link Checks#NONE}). */
    public static Checks load(String path) {
        if (path == null || path.isBlank()) return Checks.NONE;
        Path file = Path.of(path);
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ChecksException("checks file " + file + ": cannot read it: " + e.getMessage());
        }
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException e) {
            throw new ChecksException("checks file " + file + ": not valid YAML or JSON: " + e.getOriginalMessage());
        }
        return new Reader(file).checks(root);
    }

    private record Reader(Path file) {
        Checks checks(JsonNode root) {
            if (root == null || root.isMissingNode() || root.isNull()) return Checks.NONE;
            object(root, "");
            keys(root, "", TOP);
            Severity failOn = root.has("fail_on") ? severity(root.get("fail_on"), "fail_on") : null;
            Map<FindingCode, Severity> severities = new EnumMap<>(FindingCode.class);
            if (root.has("severity")) {
                JsonNode s = object(root.get("severity"), "severity");
                for (Map.Entry<String, JsonNode> e : s.properties()) {
                    String at = "severity." + e.getKey();
                    FindingCode code;
                    try {
                        code = FindingCode.parse(e.getKey());
                    } catch (IllegalArgumentException x) {
                        throw error(at, "unknown finding code (one of " + codes() + ")");
                    }
                    severities.put(code, severity(e.getValue(), at));
                }
            }
            BigDecimal tolerance = null;
            Map<String, BigDecimal> perCurrency = new LinkedHashMap<>();
            Map<String, BigDecimal> perMeter = new LinkedHashMap<>();
            if (root.has("tolerance")) {
                JsonNode t = root.get("tolerance");
                if (t.isValueNode()) tolerance = amount(t, "tolerance");
                else {
                    object(t, "tolerance");
                    keys(t, "tolerance", TOLERANCE);
                    if (t.has("default")) tolerance = amount(t.get("default"), "tolerance.default");
                    if (t.has("currency"))
                        for (Map.Entry<String, JsonNode> e : object(t.get("currency"), "tolerance.currency").properties())
                            perCurrency.put(currency(e.getKey(), "tolerance.currency." + e.getKey()), amount(e.getValue(), "tolerance.currency." + e.getKey()));
                    if (t.has("meter"))
                        for (Map.Entry<String, JsonNode> e : object(t.get("meter"), "tolerance.meter").properties())
                            perMeter.put(e.getKey(), amount(e.getValue(), "tolerance.meter." + e.getKey()));
                }
            }
            Checks.Thresholds thresholds = Checks.Thresholds.NONE;
            if (root.has("thresholds")) {
                JsonNode th = object(root.get("thresholds"), "thresholds");
                keys(th, "thresholds", THRESHOLDS);
                BigDecimal q = th.has("quarantine_rate_above") ? share(th.get("quarantine_rate_above"), "thresholds.quarantine_rate_above") : null;
                BigDecimal c = th.has("coverage_below") ? share(th.get("coverage_below"), "thresholds.coverage_below") : null;
                Map<String, Map<MoneyClass, BigDecimal>> money = new LinkedHashMap<>();
                if (th.has("money_above")) {
                    for (Map.Entry<String, JsonNode> cur : object(th.get("money_above"), "thresholds.money_above").properties()) {
                        String at = "thresholds.money_above." + cur.getKey();
                        Map<MoneyClass, BigDecimal> byClass = new EnumMap<>(MoneyClass.class);
                        for (Map.Entry<String, JsonNode> e : object(cur.getValue(), at).properties()) {
                            MoneyClass cls;
                            try {
                                cls = MoneyClass.parse(e.getKey());
                            } catch (IllegalArgumentException x) {
                                throw error(at + "." + e.getKey(), x.getMessage());
                            }
                            byClass.put(cls, amount(e.getValue(), at + "." + e.getKey()));
                        }
                        money.put(currency(cur.getKey(), at), byClass);
                    }
                }
                thresholds = new Checks.Thresholds(q, c, money);
            }
            return new Checks(severities, tolerance, perCurrency, perMeter, thresholds, failOn);
        }

        JsonNode object(JsonNode n, String at) {
            if (n == null || !n.isObject()) throw error(at, at.isEmpty() ? "the file must be a mapping (fail_on, severity, tolerance, thresholds)" : "must be a mapping");
            return n;
        }

        void keys(JsonNode n, String at, Set<String> allowed) {
            for (Map.Entry<String, JsonNode> e : n.properties())
                if (!allowed.contains(e.getKey()))
                    throw error(at.isEmpty() ? e.getKey() : at + "." + e.getKey(), "unknown key (allowed: " + String.join(", ", new TreeSet<>(allowed)) + ")");
        }

        Severity severity(JsonNode n, String at) {
            if (n == null || !n.isValueNode() || n.isNull()) throw error(at, "must be a severity (info, warning, error, critical)");
            try {
                return Severity.parse(n.asString());
            } catch (IllegalArgumentException e) {
                throw error(at, "'" + n.asString() + "' is not a severity (info, warning, error, critical)");
            }
        }

        /** A decimal >= 0, as a number or as text ("0.05"). */
        BigDecimal amount(JsonNode n, String at) {
            if (n == null || !(n.isNumber() || n.isString())) throw error(at, "must be a decimal number >= 0");
            BigDecimal v;
            try {
                v = n.isNumber() ? n.decimalValue() : new BigDecimal(n.asString().trim());
            } catch (NumberFormatException e) {
                throw error(at, "'" + n.asString() + "' is not a decimal number");
            }
            if (v.signum() < 0) throw error(at, "must be >= 0, not " + v.toPlainString());
            return v;
        }

        BigDecimal share(JsonNode n, String at) {
            BigDecimal v = amount(n, at);
            if (v.compareTo(BigDecimal.ONE) > 0) throw error(at, "is a share between 0 and 1, not " + v.toPlainString());
            return v;
        }

        String currency(String code, String at) {
            if (!code.matches("[A-Za-z]{3}")) throw error(at, "'" + code + "' is not an ISO 4217 currency code");
            return code.toUpperCase(Locale.ROOT);
        }

        ChecksException error(String key, String reason) {
            return new ChecksException("checks file " + file + ": " + (key.isEmpty() ? "" : key + ": ") + reason);
        }

        static String codes() {
            return String.join(", ", List.of(FindingCode.values()).stream().map(Enum::name).toList());
        }
    }
}
