package dev.attest.generator;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;

/**
 * Manual benchmark, not a test: {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -cp ... dev.attest.generator.GeneratorBench DIR EVENTS [SEED]}.
 */
public final class GeneratorBench {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long events = Long.parseLong(args[1]);
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        GenerationResult r = new Generator().generate(dir, events, seed);
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        System.out.printf("events %,d rows %,d decisions %,d faults %,d findings %,d in %.2f s (peak heap %,d MiB)%n", r.events(),
                r.eventRows(), r.decisions(), r.faults(), r.expectedFindingCount(), r.elapsed().toMillis() / 1e3, peak >> 20);
        System.out.println(r.expectedFindings());
    }
}
