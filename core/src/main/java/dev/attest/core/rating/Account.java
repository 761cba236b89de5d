package dev.attest.core.rating;

import java.math.BigDecimal;

/**
 * The short human-readable account of one computation ({@link Expectation#computation()}). Built for every
 * event, so it appends plainly: no String.format, and decimals whose {@code toString()} is already plain
 * go through it, which BigDecimal caches (prices and tier bounds are rendered once, not once per event).
 */
final class Account {
    private final StringBuilder sb = new StringBuilder(160);

    Account reset() {
        sb.setLength(0);
        return this;
    }

    Account text(String s) {
        sb.append(s);
        return this;
    }

    Account text(char c) {
        sb.append(c);
        return this;
    }

    Account number(int n) {
        sb.append(n);
        return this;
    }

    Account number(BigDecimal d) {
        // Staged decimals carry scale 9 (1.000000000): show what a person wrote. toString() is plain unless
        // the scale is negative or the number is tiny (adjusted exponent < -6).
        if (d.scale() > 2) {
            d = d.stripTrailingZeros();
            if (d.scale() < 0) d = d.setScale(0);
        }
        sb.append(d.scale() >= 0 && d.precision() - d.scale() > -6 ? d.toString() : d.toPlainString());
        return this;
    }

    Account ref(Object versionRef) {
        sb.append(versionRef);
        return this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
