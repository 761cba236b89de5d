package dev.attest.jobs.lifecycle;

import java.time.Instant;
import java.time.LocalDate;

/** One recorded decision on a finding. Decisions are appended, never changed: the latest one applies. */
public record FindingDecision(String fingerprint, DecisionKind kind, LocalDate until, String note, String decidedBy, Instant decidedAt) {
    public FindingDecision {
        if (fingerprint == null || fingerprint.isBlank()) throw new IllegalArgumentException("a fingerprint is required");
        if (kind == null) throw new IllegalArgumentException("the kind of decision is required");
        if (note == null || note.isBlank()) throw new IllegalArgumentException("--note is required: say why");
        if (note.length() > 4000) throw new IllegalArgumentException("--note is longer than 4000 characters");
        if (kind == DecisionKind.ACCEPT && until == null) throw new IllegalArgumentException("accepting a finding needs --until DATE");
        if (kind == DecisionKind.ACK && until != null) throw new IllegalArgumentException("an acknowledgement has no --until");
        if (decidedBy != null && decidedBy.isBlank()) decidedBy = null;
        if (decidedBy != null && decidedBy.length() > 200) decidedBy = decidedBy.substring(0, 200);
        if (decidedAt == null) throw new IllegalArgumentException("decided_at is required");
        fingerprint = fingerprint.trim();
    }
}
