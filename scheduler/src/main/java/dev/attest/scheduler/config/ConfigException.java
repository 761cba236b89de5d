package dev.attest.scheduler.config;

/** A schedule file that cannot be used: names the file, the key and the reason (exit status 2). */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
