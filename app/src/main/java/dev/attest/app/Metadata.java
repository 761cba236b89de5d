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
        return "jdbc:h2:file:" + fileWithoutSuffix.toAbsolutePath() + ";AUTO_SERVER=TRUE";
    }
}
