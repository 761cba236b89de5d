package dev.attest.core.findings;

import java.math.BigDecimal;
import java.util.Locale;

/** Half of a currency's minor unit (contracts section 9): JPY and KRW have 0 decimals, BHD and KWD 3, all others 2. */
public final class MinorUnits {
    private static final BigDecimal HALF_0 = new BigDecimal("0.5");
    private static final BigDecimal HALF_2 = new BigDecimal("0.005");
    private static final BigDecimal HALF_3 = new BigDecimal("0.0005");

    private MinorUnits() {}

    public static int decimals(String currency) {
        if (currency == null) return 2;
        return switch (currency.toUpperCase(Locale.ROOT)) {
            case "JPY", "KRW" -> 0;
            case "BHD", "KWD" -> 3;
            default -> 2;
        };
    }

    public static BigDecimal half(String currency) {
        return switch (decimals(currency)) {
            case 0 -> HALF_0;
            case 3 -> HALF_3;
            default -> HALF_2;
        };
    }
}
