package dev.attest.core.findings;

import java.util.Locale;

/** Ordered from least to most severe; --fail-on picks the lowest that fails a run. */
public enum Severity {
    INFO, WARNING, ERROR, CRITICAL;

    public static Severity parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("severity must be one of info, warning, error, critical; got '" + text + "'");
        }
    }

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
