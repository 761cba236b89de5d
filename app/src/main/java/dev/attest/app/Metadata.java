package dev.attest.app;

import java.nio.file.Path;

/** Where Batch (and later Quartz) metadata lives: --metadata, else ATTEST_METADATA_URL, else an H2 file under ~/.attest. */
final class Metadata {
    private Metadata() {}

    static String url(String option) {
        if (option != null && !option.isBlank()) return option;
        String env = System.getenv("ATTEST_METADATA_URL");
        if (env != null && !env.isBlank()) return env;
        return h2(Path.of(System.getProperty("user.home"), ".attest", "metadata"));
    }

    static String h2(Path fileWithoutSuffix) {
        // TRACE_LEVEL_FILE=0: Batch creates its schema with "create if missing" statements on every start; H2 would
        // otherwise append a stack trace per existing table to metadata.trace.db each time (hundreds of KB after a few runs).
        // AUTO_RECONNECT: the process that opened the file first serves it to the others (AUTO_SERVER); when it exits,
        // another audit's session reconnects instead of failing with "session closed".
        return "jdbc:h2:file:" + fileWithoutSuffix.toAbsolutePath() + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE;TRACE_LEVEL_FILE=0";
    }
}
