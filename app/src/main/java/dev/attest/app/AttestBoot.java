package dev.attest.app;

import dev.attest.jobs.audit.AuditJobConfiguration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/** The Spring context of a command: Batch with its JDBC JobRepository on the metadata database. */
@SpringBootApplication
@Import({AuditJobConfiguration.class, dev.attest.jobs.backfill.BackfillJobConfiguration.class})
public class AttestBoot {
    public static ConfigurableApplicationContext start(String metadataUrl) {
        return start(metadataUrl, Map.of());
    }

    /** As {@link #start(String)}, with extra properties (e.g. {@code attest.lifecycle.url} for verify). */
    public static ConfigurableApplicationContext start(String metadataUrl, Map<String, Object> extra) {
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
        props.putAll(extra);
        SpringApplication app = new SpringApplication(AttestBoot.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(props);
        return app.run();
    }
}
