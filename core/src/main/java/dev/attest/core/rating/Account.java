package dev.attest.core.rating;

import java.math.BigDecimal;

/**
 * The short human-readable account of one computation ({@link Expectation#computation()}). It appends
 * plainly: no String.format, and decimals whose {@code toString()} is already plain go through it, which
 * BigDecimal caches. A silent account ({@link #SILENT}) records nothing: bulk rating needs amounts, and the
 * text only where a finding shows it.
 */
final class Account {
    private final StringBuilder sb;

    Account() {
        this(true);
    }

    private Account(boolean recording) {
        this.sb = recording ? new StringBuilder(160) : null;
    }

    static Account silent() {
        return new Account(false);
    }

    Account reset() {
        if (sb != null) sb.setLength(0);
        return this;
    }

    Account text(String s) {
        if (sb != null) sb.append(s);
        return this;
    }

    Account text(char c) {
        if (sb != null) sb.append(c);
        return this;
    }

    Account number(int n) {
        if (sb != null) sb.append(n);
        return this;
    }

    Account number(BigDecimal d) {
        if (sb == null) return this;
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
        if (sb != null) sb.append(versionRef);
        return this;
    }

    /** The account, or null when silent. */
    @Override
    public String toString() {
        return sb == null ? null : sb.toString();
    }
}
