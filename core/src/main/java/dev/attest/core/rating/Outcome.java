package dev.attest.core.rating;

import java.util.Locale;

/** A decision's outcome: denied = blocked by an entitlement. */
public enum Outcome {
    CHARGED, DENIED;

    public static Outcome parse(String text) {
        if (text == null) throw new IllegalArgumentException("outcome is required");
        // Staged outcomes are already lower-case: no allocation on the hot path.
        if (text.equals("charged")) return CHARGED;
        if (text.equals("denied")) return DENIED;
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "charged" -> CHARGED;
            case "denied" -> DENIED;
            default -> throw new IllegalArgumentException("outcome must be charged or denied, got '" + text + "'");
        };
    }

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }
}
