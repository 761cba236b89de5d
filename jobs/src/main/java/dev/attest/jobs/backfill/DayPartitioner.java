package dev.attest.jobs.backfill;

import dev.attest.engine.backfill.DayApply;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * One partition per UTC day that holds events to correct. Deterministic (the same export gives the same
 * names), so that a restart matches each partition with its earlier execution and reruns only those not
 * COMPLETED. The grid size is ignored: a day is the unit of work and of restart.
 */
final class DayPartitioner implements Partitioner {
    static final String DAY = "day";
    private final Path exportDir;

    DayPartitioner(Path exportDir) {
        this.exportDir = exportDir;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, ExecutionContext> out = new LinkedHashMap<>();
        for (String day : DayApply.days(exportDir)) {
            ExecutionContext ctx = new ExecutionContext();
            ctx.putString(DAY, day);
            out.put("day-" + day, ctx);
        }
        return out;
    }
}
