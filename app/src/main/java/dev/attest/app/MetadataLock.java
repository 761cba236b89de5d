package dev.attest.app;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Two audits at once on one H2 metadata file (issue 13). H2's automatic server mode hands the file from process to
 * process, and under contention a session breaks mid-run ("session closed", "Lock file recently modified"). So audits
 * on an H2 file are serialised on an OS lock of a file beside it ({@code <file>.attest.lock}), held while the audit's
 * context is open: the second audit says once that it waits, and starts when the first has finished. After
 * {@link #waitLimit()} (-Dattest.metadata.wait.seconds, default one hour) it gives up with one line. Other databases
 * (PostgreSQL) are shared as they are.
 */
final class MetadataLock {
    static Duration waitLimit() {
        return Duration.ofSeconds(Long.getLong("attest.metadata.wait.seconds", 3600));
    }

    private MetadataLock() {}

    /** The started context, or null when another audit held the metadata file for longer than {@link #waitLimit()}. */
    static ConfigurableApplicationContext start(String metadataUrl) {
        Path lockFile = h2LockFile(metadataUrl);
        if (lockFile == null) return AttestBoot.start(metadataUrl);
        FileChannel ch = null;
        FileLock lock = null;
        try {
            Files.createDirectories(lockFile.getParent());
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long deadline = System.nanoTime() + waitLimit().toNanos();
            boolean said = false;
            while ((lock = tryLock(ch)) == null) {
                if (System.nanoTime() > deadline) {
                    ch.close();
                    return null;
                }
                if (!said) {
                    System.err.println("attest: another audit is using the metadata database " + lockFile.getFileName().toString()
                            .replace(".attest.lock", "") + " in " + lockFile.getParent() + "; waiting for it to finish");
                    said = true;
                }
                Thread.sleep(500);
            }
            ConfigurableApplicationContext ctx = AttestBoot.start(metadataUrl);
            FileChannel held = ch;
            FileLock l = lock;
            ctx.addApplicationListener((ContextClosedEvent e) -> release(l, held));
            return ctx;
        } catch (IOException e) {
            // The lock is a courtesy: without it (read-only folder) H2's own handling applies.
            release(lock, ch);
            return AttestBoot.start(metadataUrl);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(lock, ch);
            return null;
        } catch (RuntimeException e) {
            release(lock, ch);
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // this process holds it (another audit in the same JVM)
        }
    }

    private static void release(FileLock lock, FileChannel ch) {
        try {
            if (lock != null && lock.isValid()) lock.release();
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // closing the channel frees the lock anyway
        }
    }

    /** {@code <file>.attest.lock} beside an H2 file database; null for any other URL. */
    static Path h2LockFile(String url) {
        if (url == null || !url.startsWith("jdbc:h2:file:")) return null;
        String file = url.substring("jdbc:h2:file:".length());
        int semi = file.indexOf(';');
        if (semi >= 0) file = file.substring(0, semi);
        if (file.startsWith("~")) file = System.getProperty("user.home") + file.substring(1);
        return Path.of(file + ".attest.lock").toAbsolutePath();
    }

    static boolean heldElsewhere(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            // H2's words when another process has the file open, or is opening it at this very moment.
            String m = String.valueOf(c.getMessage());
            if (m.contains("Database may be already in use") || m.contains("Lock file recently modified")
                    || m.contains("Locked by another process") || m.contains("already in use") && m.contains("lock")) return true;
        }
        return false;
    }
}
