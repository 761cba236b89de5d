package dev.attest.scheduler;

import dev.attest.jobs.audit.AuditJobConfiguration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/** The same Spring context as the app's AttestBoot (Batch JDBC JobRepository, the audit job), for the scheduler's own tests. */
@SpringBootApplication
@Import(AuditJobConfiguration.class)
public class TestBoot {
    public static ConfigurableApplicationContext start(String metadataUrl) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("spring.datasource.url", metadataUrl);
        props.put("spring.batch.job.enabled", "false");
        props.put("spring.batch.jdbc.initialize-schema", "always");
        props.put("spring.main.banner-mode", "off");
        props.put("spring.main.log-startup-info", "false");
        props.put("logging.level.root", "WARN");
        props.put("logging.level.org.springframework.batch.core.step.AbstractStep", "OFF");
        props.put("logging.level.org.springframework.batch.core.job.AbstractJob", "OFF");
        props.put("spring.autoconfigure.exclude", "org.springframework.boot.quartz.autoconfigure.QuartzAutoConfiguration");
        SpringApplication app = new SpringApplication(TestBoot.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(props);
        return app.run();
    }
}
