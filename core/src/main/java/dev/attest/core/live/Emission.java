package dev.attest.core.live;

import dev.attest.core.findings.Finding;
import java.time.Instant;

/** What a live audit says, in the order it says it: verdicts, settled findings, and data that came later than the hold. */
public sealed interface Emission permits Verdict, Emission.Settled, Emission.Late {
    /**
     * A finding nothing within the hold can change any more, with the fingerprint of findings.csv (the first 16 hex digits
     * of SHA-256 over {@code code|event_id|decision_id}) and the billing period of its event (or of decided_at without one).
     */
    record Settled(Finding finding, String fingerprint, String billingPeriod) implements Emission {
        public Settled {
            if (finding == null || fingerprint == null) throw new IllegalArgumentException("finding and fingerprint are required");
        }
    }

    /** An event or decision that came after its partition settled: counted, flagged, left to the nightly audit. */
    record Late(String kind, String id, String customerId, Instant time, Instant watermark, String reason) implements Emission {
        public Late {
            if (kind == null || reason == null) throw new IllegalArgumentException("kind and reason are required");
        }
    }
}
