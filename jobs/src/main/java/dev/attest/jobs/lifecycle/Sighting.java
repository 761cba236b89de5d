package dev.attest.jobs.lifecycle;

import dev.attest.core.findings.Severity;

/** One finding of a run, as the lifecycle needs it. */
public record Sighting(String fingerprint, String code, Severity severity) {
    public Sighting {
        if (fingerprint == null || fingerprint.isBlank() || code == null || severity == null)
            throw new IllegalArgumentException("fingerprint, code and severity are required");
    }
}
