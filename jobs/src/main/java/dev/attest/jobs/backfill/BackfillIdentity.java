package dev.attest.jobs.backfill;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.jobs.audit.AuditIdentity;

/**
 * The preview id: a digest of everything that decides what a backfill finds — the inputs' SHA-256s (a SQL
 * input by its text), the policy registry's digest, the window, the cut-off and the scope. The same inputs
 * give the same id on any machine; an apply names it to prove that it applies what was previewed. The
 * correction an apply writes carries the same id: one set of inputs, one correction.
 */
public record BackfillIdentity(String digest, String previewId) {
    static final int ID_LENGTH = 16;

    public static BackfillIdentity of(BackfillRequest r, PolicyRegistry registry) {
        StringBuilder canon = new StringBuilder("attest-backfill/1\n");
        AuditIdentity.line(canon, "from", r.from());
        AuditIdentity.line(canon, "to", r.to());
        AuditIdentity.line(canon, "as_of", r.asOf());
        AuditIdentity.line(canon, "scope", r.scope().wire());
        AuditIdentity.line(canon, "assume_zone", r.assumeZone());
        dev.attest.io.input.ScanBounds bounds = r.window().scanBounds();
        AuditIdentity.source(canon, "events", r.events(), bounds);
        AuditIdentity.source(canon, "decisions", r.decisions(), bounds);
        AuditIdentity.line(canon, "policies.registry_digest", registry.digest());
        AuditIdentity.customers(canon, r.customers());
        String digest = AuditIdentity.sha256(canon.toString());
        return new BackfillIdentity(digest, digest.substring(0, ID_LENGTH));
    }
}
