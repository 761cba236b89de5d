package dev.attest.core.policy;

import java.util.Locale;

/** The rule surfaces of contracts section 2. */
public enum PolicyKind {
    PRICE, DISCOUNT, ENTITLEMENT, THRESHOLD;

    public static PolicyKind parse(String text) {
        if (text == null) throw new IllegalArgumentException("kind is required");
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown kind '" + text + "' (price, discount, entitlement, threshold)");
        }
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
