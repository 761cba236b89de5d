package dev.attest.scheduler.run;

import java.util.ArrayList;
import java.util.List;

/** The windows a pass handled and the alert deliveries that failed; the exit status of {@code attest schedule --once}. */
public record PassReport(List<WindowResult> windows, List<String> failedDeliveries) {
    public PassReport {
        windows = List.copyOf(windows);
        failedDeliveries = List.copyOf(failedDeliveries);
    }

    public static PassReport merge(List<PassReport> reports) {
        List<WindowResult> w = new ArrayList<>();
        List<String> f = new ArrayList<>();
        for (PassReport r : reports) {
            w.addAll(r.windows());
            f.addAll(r.failedDeliveries());
        }
        return new PassReport(w, f);
    }

    /**
     * The closing line of {@code --once}: the windows this node handled (audited, retried, failed), and apart from
     * them the ones it skipped because another node holds them or their retry is not due yet.
     */
    public String summary() {
        long skipped = windows.stream().filter(w -> w.status() == WindowResult.Status.SKIPPED).count();
        return (windows.size() - skipped) + " window(s) handled" + (skipped == 0 ? ""
                : ", " + skipped + " skipped (held by another node or waiting for a retry)") + "; exit status " + exitStatus();
    }

    /**
     * 3 when a run failed (this attempt, retried later or not) or an alert could not be delivered; else 1 when an
     * audit found findings at or above its failing severity; else 0. A late run alone is reported, not failed:
     * catching up after downtime is what the scheduler is for.
     */
    public int exitStatus() {
        boolean failed = !failedDeliveries.isEmpty();
        boolean findings = false;
        for (WindowResult r : windows) {
            if (r.status() == WindowResult.Status.FAILED || r.status() == WindowResult.Status.RETRY) failed = true;
            if (r.status() == WindowResult.Status.DONE && r.exitStatus() == 1) findings = true;
        }
        return failed ? 3 : findings ? 1 : 0;
    }
}
