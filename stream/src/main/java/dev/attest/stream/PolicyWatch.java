package dev.attest.stream;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.io.policy.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the policies path (issue 17: policies change while streaming). Polling each file's size and modification time
 * works on every file system, network mounts included, where a WatchService may stay silent. A path that no longer loads
 * (a half-written file) keeps the last good registry and says why; the next change is tried again.
 */
final class PolicyWatch {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyWatch.class);
    private final String path;
    private String seen;

    PolicyWatch(String path) {
        this.path = path;
        this.seen = stamp();
    }

    /** A new registry when the files changed since the last call and load. */
    Optional<PolicyRegistry> changed() {
        String now = stamp();
        if (now.equals(seen)) return Optional.empty();
        seen = now;
        try {
            PolicyRegistry r = new PolicyRegistry(PolicyLoader.load(path));
            LOG.warn("policies changed under {}: {} versions now; pending events are rated again", path, r.versionCount());
            return Optional.of(r);
        } catch (RuntimeException e) {
            LOG.warn("policies under {} changed but do not load, keeping the last good ones: {}", path, e.getMessage());
            return Optional.empty();
        }
    }

    private String stamp() {
        Path root = Path.of(path);
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.isDirectory(root) ? Files.walk(root) : Stream.of(root)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> {
                try {
                    sb.append(f).append('|').append(Files.size(f)).append('|').append(Files.getLastModifiedTime(f).toMillis()).append('\n');
                } catch (IOException e) {
                    sb.append(f).append("|?\n");
                }
            });
        } catch (IOException | RuntimeException e) {
            return "unreadable:" + e.getMessage();
        }
        return sb.toString();
    }
}
