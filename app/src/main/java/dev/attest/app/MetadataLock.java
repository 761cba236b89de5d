package dev.attest.app;

import java.time.Duration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the Spring context on the metadata database, waiting while another process holds an H2 file exclusively
 * ("Database may be already in use"): one line says so, then it retries for up to {@link #WAIT}. Null when it never
 * got the database; every other failure is thrown as it is.
 */
final class MetadataLock {
    static final Duration WAIT = Duration.ofSeconds(Long.getLong("attest.metadata.wait.seconds", 120));

    private MetadataLock() {}

    static ConfigurableApplicationContext start(String metadataUrl) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean said = false;
        while (true) {
            try {
                return AttestBoot.start(metadataUrl);
            } catch (RuntimeException e) {
                if (!heldElsewhere(e)) throw e;
                if (System.nanoTime() > deadline) return null;
                if (!said) {
                    System.err.println("attest: another audit holds the metadata database " + metadataUrl + "; waiting for it (up to "
                            + WAIT.toSeconds() + " s)");
                    said = true;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    static boolean heldElsewhere(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (m.contains("Database may be already in use") || m.contains("already in use") && m.contains("lock")
                    || m.contains("Locked by another process")) return true;
        }
        return false;
    }
}
