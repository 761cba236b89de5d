package dev.attest.app;

import dev.attest.jobs.lifecycle.DecisionKind;
import dev.attest.jobs.lifecycle.FindingDecision;
import dev.attest.jobs.lifecycle.LifecycleStore;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The lifecycle store of a metadata database, for the commands that read or add decisions (no Batch context needed). */
final class LifecycleAccess {
    private LifecycleAccess() {}

    static LifecycleStore store(String metadataOption) {
        return new LifecycleStore(new DriverManagerDataSource(Metadata.url(metadataOption)));
    }

    /**
     * Records a decision made now by {@code by} (default: the user name): 0 when recorded, 2 when the decision is
     * malformed or no run has reported the fingerprint.
     */
    static int decide(String metadataOption, String fingerprint, DecisionKind kind, LocalDate until, String note, String by, String verb)
            throws SQLException {
        FindingDecision decision;
        try {
            decision = new FindingDecision(fingerprint, kind, until, note, by != null ? by : System.getProperty("user.name"),
                    Clock.systemUTC().instant());
        } catch (IllegalArgumentException e) {
            System.err.println("attest: " + e.getMessage());
            return 2;
        }
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
