package dev.attest.app;

import dev.attest.jobs.BootProperties;
import dev.attest.jobs.audit.AuditJobConfiguration;
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
        Map<String, Object> props = BootProperties.of(metadataUrl);
        props.putAll(extra);
        SpringApplication app = new SpringApplication(AttestBoot.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(props);
        return app.run();
    }
}
