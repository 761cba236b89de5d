package dev.attest.scheduler.quartz;

import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.Passes;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/**
 * A cron fire or a sweep of one schedule: runs a pass over it. One at a time
 * per job across the cluster; requests recovery, so a pass interrupted by a node's death is fired again on another.
 */
@DisallowConcurrentExecution
public final class FireJob implements Job {
    static final String SCHEDULE = "schedule";

    @Override
    public void execute(JobExecutionContext ctx) throws JobExecutionException {
        try {
            QuartzScheduling.Hooks hooks = (QuartzScheduling.Hooks) ctx.getScheduler().getContext().get(QuartzScheduling.HOOKS);
            String schedule = ctx.getMergedJobDataMap().getString(SCHEDULE);
            Passes passes = hooks.passes();
            PassReport report = schedule == null ? passes.runAll() : passes.run(schedule);
            hooks.onPass().accept(ctx.getScheduledFireTime() == null ? null : ctx.getScheduledFireTime().toInstant(), report);
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        } catch (RuntimeException e) {
            throw new JobExecutionException("pass failed: " + e, e);
        }
    }
}
