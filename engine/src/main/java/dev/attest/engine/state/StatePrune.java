package dev.attest.engine.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Removing carried states (see {@link StateStore}) that no run folder under an --out folder refers to: the rule of
 * {@code attest state prune} and of a schedule's retention ({@code keep:}), in one place. A run folder refers to the
 * state it started from and the one it wrote ({@code carried_state.started_from.id}, {@code carried_state.written.id}
 * of its manifest.json); those states are never removed, so a kept run can always be reproduced.
 */
public final class StatePrune {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StatePrune() {}

    /** The states the manifests of the run folders under {@code out} name. */
    public static Set<String> referenced(Path out) {
        Set<String> ids = new HashSet<>();
        if (!Files.isDirectory(out)) return ids;
        try (Stream<Path> runs = Files.list(out)) {
            for (Path run : runs.filter(Files::isDirectory).toList()) {
                Path manifest = run.resolve("manifest.json");
                if (!Files.isRegularFile(manifest)) continue;
                JsonNode c;
                try {
                    c = JSON.readTree(Files.readString(manifest)).path("carried_state");
                } catch (IOException | RuntimeException e) {
                    // A manifest being replaced or removed right now: its run's states are kept by the next prune's look.
                    throw new UncheckedIOException("cannot read " + manifest + "; no state removed", e instanceof IOException io ? io : new IOException(e));
                }
                for (String k : List.of("started_from", "written"))
                    if (c.path(k).hasNonNull("id")) ids.add(c.path(k).path("id").asString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + out, e);
        }
        return ids;
    }

    /**
     * Removes (unless {@code dryRun}) every state under {@code out} that no run folder refers to and that
     * {@code eligible} accepts; returns the states removed (or that would be).
     */
    public static List<StateStore.Meta> prune(Path out, Predicate<StateStore.Meta> eligible, boolean dryRun) {
        Set<String> referenced = referenced(out);
        List<StateStore.Meta> removed = new ArrayList<>();
        for (StateStore.Meta m : StateStore.list(out)) {
            if (referenced.contains(m.id()) || !eligible.test(m)) continue;
            if (!dryRun) {
                try {
                    Files.deleteIfExists(StateStore.description(out, m.id()));
                    Files.deleteIfExists(StateStore.parquet(out, m.id()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove state " + m.id() + " under " + StateStore.folder(out), e);
                }
            }
            removed.add(m);
        }
        return removed;
    }
}
