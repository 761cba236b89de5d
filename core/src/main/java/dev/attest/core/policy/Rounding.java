package dev.attest.core.policy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** How an event's final amount is rounded (contracts section 4, "Rounding"). */
public record Rounding(int scale, RoundingMode mode) {
    /** The finest scale: amounts are kept, staged and written with 9 decimal places. */
    public static final int MAX_SCALE = 9;
    /** Without a rounding rule amounts are kept to 9 decimal places, half-even. */
    public static final Rounding DEFAULT = new Rounding(MAX_SCALE, RoundingMode.HALF_EVEN);

    public Rounding {
        // A finer scale could not be written with the other amounts (it failed the audit in the rating step with
        // "Rounding necessary"): it is a malformed rule, rejected at load time with file and policy named.
        if (scale < 0 || scale > MAX_SCALE)
            throw new IllegalArgumentException("rounding scale must be 0.." + MAX_SCALE + " (amounts are kept to " + MAX_SCALE
                    + " decimal places), got " + scale);
        if (mode != RoundingMode.HALF_EVEN && mode != RoundingMode.HALF_UP && mode != RoundingMode.DOWN)
            throw new IllegalArgumentException("rounding mode must be half_even, half_up or down, got " + mode);
    }

    public static Rounding of(int scale, String mode) {
        RoundingMode m = switch (mode == null ? "half_even" : mode.trim().toLowerCase(Locale.ROOT)) {
            case "half_even" -> RoundingMode.HALF_EVEN;
            case "half_up" -> RoundingMode.HALF_UP;
            case "down" -> RoundingMode.DOWN;
            default -> throw new IllegalArgumentException("rounding mode must be half_even, half_up or down, got '" + mode + "'");
        };
        return new Rounding(scale, m);
    }

    public BigDecimal apply(BigDecimal amount) {
        return amount.setScale(scale, mode);
    }

    public String wireMode() {
        return mode.name().toLowerCase(Locale.ROOT);
    }
}
