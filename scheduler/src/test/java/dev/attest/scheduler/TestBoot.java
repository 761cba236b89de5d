package dev.attest.scheduler;

import dev.attest.jobs.BootProperties;
import dev.attest.jobs.audit.AuditJobConfiguration;
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
        Map<String, Object> props = BootProperties.of(metadataUrl);
        SpringApplication app = new SpringApplication(TestBoot.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(props);
        return app.run();
    }
}
