package dev.attest.jobs;

/** The program version written into every summary and manifest, and printed by {@code attest --version}. */
public final class ProgramVersion {
    public static final String TEXT = "attest 0.1.0";

    private ProgramVersion() {}
}
