package dev.attest.spark;

import dev.attest.core.findings.FindingCode;
import dev.attest.core.findings.Reconciler;
import dev.attest.core.findings.Severity;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.BillingCycles;
import dev.attest.io.policy.PolicyLoader;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Everything an executor needs to run core's fold and checks, shipped with the task: the policy files' bytes (loaded on the
 * executor by the same {@link PolicyLoader} as on the driver, so both build the same registry), each customer's billing
 * cycle, the cut-off and the reconciler's parameters. Core's types are not Serializable and need not become so.
 */
public record RatingSpec(String id, Map<String, byte[]> policyFiles, boolean policyFolder, Map<String, String> cycles,
                         Instant cutoff, BigDecimal tolerance, Duration lateAfter, Map<String, BigDecimal> tolerancePerCurrency,
                         Map<String, BigDecimal> tolerancePerMeter, Map<String, String> severities) implements Serializable {
    public RatingSpec {
        if (id == null || policyFiles == null || policyFiles.isEmpty() || cycles == null || cutoff == null || tolerance == null)
            throw new IllegalArgumentException("a rating spec needs an id, the policy files, the cycles, the cut-off and a tolerance");
        // Plain serializable copies: Map.copyOf's classes are serializable too, but HashMap keeps byte[] values as they are.
        policyFiles = new HashMap<>(policyFiles);
        cycles = new HashMap<>(cycles);
        tolerancePerCurrency = new HashMap<>(tolerancePerCurrency == null ? Map.of() : tolerancePerCurrency);
        tolerancePerMeter = new HashMap<>(tolerancePerMeter == null ? Map.of() : tolerancePerMeter);
        severities = new HashMap<>(severities == null ? Map.of() : severities);
    }

    /** The spec of one audit, read on the driver: {@code policies} is the --policies path (a file or a folder). */
    public static RatingSpec of(String policies, BillingCycles cycles, Instant cutoff, Reconciler.Params params) {
        Path root = Path.of(policies);
        Map<String, byte[]> files = new TreeMap<>();
        boolean folder = Files.isDirectory(root);
        try {
            if (folder) {
                try (Stream<Path> walk = Files.walk(root)) {
                    for (Path p : walk.filter(Files::isRegularFile).toList()) files.put(root.relativize(p).toString(), Files.readAllBytes(p));
                }
            } else if (Files.isRegularFile(root)) {
                files.put(root.getFileName().toString(), Files.readAllBytes(root));
            } else {
                throw new IllegalArgumentException("the Spark engine reads --policies from a file or a folder on the driver, not " + policies);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the policies " + policies, e);
        }
        Map<String, String> byCustomer = new HashMap<>();
        cycles.listed().forEach((c, cycle) -> byCustomer.put(c, cycle.anchorDay() + "|" + cycle.zone().getId()));
        Map<String, String> sev = new HashMap<>();
        params.severities().forEach((code, s) -> sev.put(code.name(), s.name()));
        return new RatingSpec(UUID.randomUUID().toString(), files, folder, byCustomer, cutoff, params.tolerance(), params.lateAfter(),
                params.tolerancePerCurrency(), params.tolerancePerMeter(), sev);
    }

    /** Built once per JVM and spec: loading policies per task would cost more than rating a small partition. */
    private static final Map<String, Built> BUILT = new ConcurrentHashMap<>();

    /** Core's objects of this spec, on whichever JVM runs the task. */
    public Built built() {
        if (BUILT.size() > 8 && !BUILT.containsKey(id)) BUILT.clear(); // a long-lived executor keeps the few latest audits
        return BUILT.computeIfAbsent(id, k -> build());
    }

    public record Built(PolicyRegistry registry, Reconciler reconciler, BillingCycles cycles) {}

    private Built build() {
        try {
            Path dir = Files.createTempDirectory("attest-spark-policies-");
            for (Map.Entry<String, byte[]> f : policyFiles.entrySet()) {
                Path target = dir.resolve(f.getKey());
                Files.createDirectories(target.getParent());
                Files.write(target, f.getValue());
            }
            String path = policyFolder ? dir.toString() : dir.resolve(policyFiles.keySet().iterator().next()).toString();
            PolicyRegistry registry;
            try {
                registry = new PolicyRegistry(PolicyLoader.load(path));
            } finally {
                dev.attest.io.Folders.deleteTree(dir); // loaded: the copies are not needed again
            }
            Map<String, BillingCycle> byCustomer = new HashMap<>();
            cycles.forEach((c, text) -> {
                int bar = text.indexOf('|');
                byCustomer.put(c, new BillingCycle(Integer.parseInt(text.substring(0, bar)), ZoneId.of(text.substring(bar + 1))));
            });
            Map<FindingCode, Severity> sev = new EnumMap<>(FindingCode.class);
            severities.forEach((code, s) -> sev.put(FindingCode.valueOf(code), Severity.valueOf(s)));
            Reconciler reconciler = new Reconciler(registry, new Reconciler.Params(tolerance, lateAfter, tolerancePerCurrency,
                    tolerancePerMeter, sev));
            return new Built(registry, reconciler, byCustomer.isEmpty() ? BillingCycles.calendarMonths() : BillingCycles.of(byCustomer));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot materialise the policies on this executor", e);
        }
    }
}
