package dev.attest.jobs;

import java.util.LinkedHashMap;
import java.util.Map;

/** The Spring Boot properties every Attest context starts with (the command line's, and the scheduler tests'). */
public final class BootProperties {
    private BootProperties() {}

    /** Batch's JDBC JobRepository on {@code metadataUrl}, schema created when missing, no job run at startup, quiet logs. */
    public static Map<String, Object> of(String metadataUrl) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("spring.datasource.url", metadataUrl);
        props.put("spring.batch.job.enabled", "false");
        props.put("spring.batch.jdbc.initialize-schema", "always");
        props.put("spring.main.banner-mode", "off");
        props.put("spring.main.log-startup-info", "false");
        props.put("logging.level.root", "WARN");
        // Quartz is started by `attest schedule` alone, on the JDBC store (dev.attest.scheduler.quartz); Boot's own
        // auto-configured scheduler would start a second, in-memory one in every command.
        props.put("spring.autoconfigure.exclude", "org.springframework.boot.quartz.autoconfigure.QuartzAutoConfiguration");
        // A failed step is reported once, by the launcher, with a clear message and the exit status;
        // Batch's own ERROR log of the same exception would put a stack trace in front of the user.
        props.put("logging.level.org.springframework.batch.core.step.AbstractStep", "OFF");
        props.put("logging.level.org.springframework.batch.core.job.AbstractJob", "OFF");
        // A context that cannot start (metadata database held by another audit, unknown driver) is reported by the
        // command in one line naming where the full trace was written; Boot's own report is a trace of 100+ lines.
        props.put("logging.level.org.springframework.boot.SpringApplication", "OFF");
        props.put("logging.level.org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter", "OFF");
        props.put("logging.level.org.springframework.context.annotation.AnnotationConfigApplicationContext", "ERROR");
        // Hikari logs a connection H2 refused (another audit opening the same file) as a WARN with its stack trace;
        // the command says it in one line instead.
        props.put("logging.level.com.zaxxer.hikari", "ERROR");
        props.put("logging.level.org.springframework.jdbc.support.JdbcTransactionManager", "OFF");
        return props;
    }
}
