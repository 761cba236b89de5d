package dev.attest.spark;

import org.apache.spark.sql.SparkSession;

/** The settings every Attest Spark session needs, whoever starts it (spark-submit, the local runner, the tests). */
public final class SparkSessions {
    private SparkSessions() {}

    /**
     * @param master null: whatever spark-submit or spark.master says (local[2] when nothing does)
     * @param shufflePartitions tasks of the rating shuffle; 0: 4 per core of the master's default parallelism
     */
    public static SparkSession start(String master, int shufflePartitions) {
        quietLogs();
        SparkSession.Builder b = SparkSession.builder().appName("attest-audit");
        String configured = System.getProperty("spark.master");
        if (master != null) b.master(master);
        else if (configured == null) b.master("local[2]");
        if (isLocal(master != null ? master : configured)) {
            b.config("spark.ui.enabled", "false"); // a local audit needs no web UI and no port
            b.config("spark.driver.host", "127.0.0.1");
            b.config("spark.driver.bindAddress", "127.0.0.1");
            // A shared, overloaded machine can stall the JVM for minutes (measured: a 150 s pause at load 46 on 2 cores);
            // in local mode the driver is the executor, so a missed heartbeat only kills the run.
            b.config("spark.executor.heartbeatInterval", "60s");
            b.config("spark.network.timeout", "900s");
        }
        // Core's fold gets java.time.Instant for TIMESTAMP, and every instant is written as UTC micros (not INT96).
        b.config("spark.sql.datetime.java8API.enabled", "true");
        b.config("spark.sql.session.timeZone", "UTC");
        b.config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        // The skew split decides by itself which period to cut; AQE's own skew join handling has nothing to add to a repartition.
        b.config("spark.sql.adaptive.coalescePartitions.enabled", "false");
        SparkSession spark = b.getOrCreate();
        // --shuffle-partitions, else spark-submit's --conf spark.sql.shuffle.partitions, else 4 tasks per core.
        if (shufflePartitions > 0) spark.conf().set("spark.sql.shuffle.partitions", Integer.toString(shufflePartitions));
        else if (!spark.sparkContext().getConf().contains("spark.sql.shuffle.partitions"))
            spark.conf().set("spark.sql.shuffle.partitions", Integer.toString(Math.max(2, 4 * spark.sparkContext().defaultParallelism())));
        return spark;
    }

    /**
     * Spark logs through SLF4J to Logback here (Spark's log4j2 binding is excluded), so its level is Logback's: WARN, as
     * Spring's context sets it later. SparkContext.setLogLevel would cast to log4j-core's context and fail.
     */
    static void quietLogs() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
            ctx.getLogger("dev.attest").setLevel(ch.qos.logback.classic.Level.INFO);
        }
    }

    static boolean isLocal(String master) {
        return master == null || master.startsWith("local");
    }
}
