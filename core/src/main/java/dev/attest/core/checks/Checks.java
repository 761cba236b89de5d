package dev.attest.core.checks;

import dev.attest.core.findings.FindingCode;
import dev.attest.core.findings.MoneyClass;
import dev.attest.core.findings.Severity;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks people configure (issue 14), as read from a checks file: severity per code, tolerance (default, per
 * currency, per meter) and run-failing thresholds. Every part is optional; {@link #NONE} changes nothing.
 *
 * @param severities           code -> severity, instead of the code's default
 * @param tolerance            the default tolerance, or null (then --tolerance's, 0 without it)
 * @param tolerancePerCurrency currency code (upper case) -> tolerance
 * @param tolerancePerMeter    meter -> tolerance; wins over the currency's
 * @param thresholds           the run-failing thresholds
 * @param failOn               the lowest failing severity, or null (then --fail-on's, error without it)
 */
public record Checks(Map<FindingCode, Severity> severities, BigDecimal tolerance, Map<String, BigDecimal> tolerancePerCurrency,
                     Map<String, BigDecimal> tolerancePerMeter, Thresholds thresholds, Severity failOn) {
    public static final Checks NONE = new Checks(Map.of(), null, Map.of(), Map.of(), Thresholds.NONE, null);

    public Checks {
        severities = Collections.unmodifiableMap(severities == null || severities.isEmpty() ? new EnumMap<>(FindingCode.class) : new EnumMap<>(severities));
        tolerancePerCurrency = Collections.unmodifiableMap(new TreeMap<>(tolerancePerCurrency == null ? Map.of() : tolerancePerCurrency));
        tolerancePerMeter = Collections.unmodifiableMap(new TreeMap<>(tolerancePerMeter == null ? Map.of() : tolerancePerMeter));
        if (thresholds == null) thresholds = Thresholds.NONE;
        if (tolerance != null && tolerance.signum() < 0) throw new IllegalArgumentException("tolerance must be >= 0");
    }

    /**
     * Run-failing thresholds; null = not checked.
     *
     * @param quarantineRateAbove fail when quarantined rows / input rows read (events and decisions) is above this (0..1)
     * @param coverageBelow       fail when the overall lineage coverage is below this (0..1)
     * @param moneyAbove          currency -> class -> limit: fail when the class's money in that currency is above it
     *                            (for retroactive, its absolute value)
     */
    public record Thresholds(BigDecimal quarantineRateAbove, BigDecimal coverageBelow, Map<String, Map<MoneyClass, BigDecimal>> moneyAbove) {
        public static final Thresholds NONE = new Thresholds(null, null, Map.of());

        public Thresholds {
            Map<String, Map<MoneyClass, BigDecimal>> m = new TreeMap<>();
            if (moneyAbove != null) moneyAbove.forEach((cur, byClass) -> m.put(cur, Collections.unmodifiableMap(new EnumMap<>(byClass.isEmpty()
                    ? new EnumMap<MoneyClass, BigDecimal>(MoneyClass.class) : byClass))));
            moneyAbove = Collections.unmodifiableMap(m);
        }

        public boolean any() {
            return quarantineRateAbove != null || coverageBelow != null || !moneyAbove.isEmpty();
        }
    }
}
