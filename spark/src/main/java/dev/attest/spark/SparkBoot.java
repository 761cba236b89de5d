package dev.attest.spark;

import dev.attest.jobs.BootProperties;
import dev.attest.jobs.audit.AuditJobConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * The Spring context of a Spark audit: the same audit job (stage, rate, reconcile, write) and run history as `attest audit`,
 * with {@link SparkRatePass} installed as the rating engine. Scanning stays in this package: Spark's classes are on the
 * class path, and nothing of theirs should become a bean.
 */
@SpringBootApplication
@Import(AuditJobConfiguration.class)
public class SparkBoot {
    public static ConfigurableApplicationContext start(String metadataUrl) {
        SpringApplication app = new SpringApplication(SparkBoot.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(BootProperties.of(metadataUrl));
        return app.run();
    }
}
