package dev.attest.app;

import dev.attest.jobs.lifecycle.FindingDecision;
import dev.attest.jobs.lifecycle.LifecycleStore;
import java.sql.SQLException;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The lifecycle store of a metadata database, for the commands that read or add decisions (no Batch context needed). */
final class LifecycleAccess {
    private LifecycleAccess() {}

    static LifecycleStore store(String metadataOption) {
        return new LifecycleStore(new DriverManagerDataSource(Metadata.url(metadataOption)));
    }

    /** Records a decision: 0 when recorded, 2 when no run has reported the fingerprint. */
    static int decide(String metadataOption, FindingDecision decision, String verb) throws SQLException {
        LifecycleStore.DecideOutcome outcome = store(metadataOption).decide(decision);
        if (outcome instanceof LifecycleStore.DecideOutcome.UnknownFingerprint u) {
            System.err.println("attest: no audit run recorded in this metadata database has reported finding " + u.fingerprint()
                    + "; fingerprints are in a run's findings.csv and report.html (and give --metadata if the runs used another database)");
            return 2;
        }
        System.err.println("attest: " + verb + " " + decision.fingerprint() + (decision.until() == null ? "" : " until " + decision.until())
                + "; reports of later runs show it");
        return 0;
    }
}
