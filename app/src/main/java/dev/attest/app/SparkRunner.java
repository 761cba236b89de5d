package dev.attest.app;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `attest audit --engine spark` and `attest bench --engine spark` on a machine without a cluster (issue 19): a child JVM
 * runs the spark module's {@code dev.attest.spark.SparkAudit} with the module's jar and Spark's own class path
 * ({@code spark/target/spark-classpath.txt}, written at build time), as spark-submit would. attest.jar itself holds no
 * Spark. The child inherits standard input, output and error; its exit status is the command's.
 */
final class SparkRunner {
    /** The JVM options Spark's launcher adds on Java 17 (JavaModuleOptions), plus Arrow's java.nio. */
    static final List<String> ADD_OPENS = List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
            "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.nio.cs", "sun.security.action",
            "sun.util.calendar");

    private SparkRunner() {}

    /** Runs {@code command} (audit or bench) with {@code args} on Spark; the exit status, or 2 when the module is not built. */
    static int run(String command, List<String> original) {
        // picocli's original arguments start with the top-level command line: keep what follows the subcommand's name.
        int at = original.indexOf(command);
        List<String> args = at < 0 ? original : original.subList(at + 1, original.size());
        Path target = sparkTarget();
        Path jar = target == null ? null : target.resolve("attest-spark.jar");
        Path cp = target == null ? null : target.resolve("spark-classpath.txt");
        if (jar == null || !Files.isRegularFile(jar) || !Files.isRegularFile(cp)) {
            System.err.println("attest: --engine spark needs the spark module built (spark/target/attest-spark.jar and spark-classpath.txt); "
                    + "./attest builds it, or: ./mvnw -B -DskipTests package -pl spark -am");
            return 2;
        }
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            for (String p : ADD_OPENS) cmd.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
            cmd.add("-Djdk.reflect.useDirectMethodHandle=false");
            cmd.add("-Dio.netty.tryReflectionSetAccessible=true");
            String opts = System.getenv("ATTEST_SPARK_JAVA_OPTS");
            cmd.addAll(List.of((opts == null || opts.isBlank() ? "-Xmx4g" : opts).trim().split("\\s+")));
            cmd.add("-cp");
            cmd.add(jar + File.pathSeparator + Files.readString(cp).trim());
            cmd.add("dev.attest.spark.SparkAudit");
            cmd.add(command);
            cmd.addAll(args);
            return new ProcessBuilder(cmd).inheritIO().start().waitFor();
        } catch (IOException e) {
            System.err.println("attest: cannot start the Spark runner: " + e.getMessage());
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 3;
        }
    }

    /** spark/target beside app/target: -Dattest.spark.target, else found from attest.jar's own place in the checkout. */
    private static Path sparkTarget() {
        String explicit = System.getProperty("attest.spark.target");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        String classPath = System.getProperty("java.class.path", "");
        Path first = Path.of(classPath.split(File.pathSeparator)[0]).toAbsolutePath();
        // app/target/attest.jar (java -jar) or app/target/classes (tests, IDE): the checkout is three levels up.
        Path appTarget = first.getParent();
        if (appTarget == null || appTarget.getParent() == null || appTarget.getParent().getParent() == null) return null;
        return appTarget.getParent().getParent().resolve("spark").resolve("target");
    }
}
