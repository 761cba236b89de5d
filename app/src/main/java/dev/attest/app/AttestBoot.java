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
        return start(metadataUrl, extra, true);
    }

    /**
     * As {@link #start(String, Map)}; {@code shutdownHook} false leaves closing the context to the caller. The
     * long-lived scheduler needs that: Spring's own hook would close the connection pool under a running audit on
     * SIGTERM, while the scheduler's hook lets that audit finish first and then closes the context itself.
     */
    public static ConfigurableApplicationContext start(String metadataUrl, Map<String, Object> extra, boolean shutdownHook) {
        Map<String, Object> props = BootProperties.of(metadataUrl);
        props.putAll(extra);
        SpringApplication app = new SpringApplication(AttestBoot.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(props);
        app.setRegisterShutdownHook(shutdownHook);
        return app.run();
    }
}
