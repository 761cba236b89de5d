package dev.attest.io.input;

import java.util.ArrayList;
import java.util.List;

/**
 * What staging read and what it made of it, per input.
 *
 * @param events    the usage events input
 * @param decisions the live decisions input
 */
public record StagingReport(InputReport events, InputReport decisions) {

    /** One file that was read. */
    public record FileRead(String path, long sizeBytes, String sha256, long rows) {
        /** As the run's JSON files list it (manifest, lineage.json): path, size, rows, sha256, in that order. */
        public java.util.Map<String, Object> json() {
            java.util.Map<String, Object> o = new java.util.LinkedHashMap<>();
            o.put("path", path);
            o.put("size", sizeBytes);
            o.put("rows", rows);
            o.put("sha256", sha256);
            return o;
        }
    }

    /**
     * @param input               "events" or "decisions"
     * @param source              "files" or "sql" ("none" when the input was not given)
     * @param location            the path, directory or glob as given, or the SQL text
     * @param files               every file read, sorted by absolute path (empty for SQL)
     * @param rowsRead            data rows read (valid + quarantined)
     * @param validRows           rows that passed validation (table {@code events} / rows before de-duplication of decisions)
     * @param quarantinedRows     rows sent to the quarantine table
     * @param duplicateDeliveries rows beyond the first of an id whose deliveries are identical
     *                            (events: sum over ids of deliveries-1 in {@code events_unique};
     *                            decisions: identical re-deliveries dropped from {@code decisions})
     * @param conflictingIds      ids with more than one distinct content (events: rows of {@code event_conflicts};
     *                            decisions: decision_ids kept with several different contents)
     * @param stagedRows          rows in the table the audit uses ({@code events_unique} / {@code decisions})
     * @param doubleConversions   floating-point columns converted through their shortest decimal text, as "input.column"
     * @param skippedFiles        files of the input not read because their date partition lies outside the scan bounds
     */
    public record InputReport(String input, String source, String location, List<FileRead> files, long rowsRead,
                              long validRows, long quarantinedRows, long duplicateDeliveries, long conflictingIds,
                              long stagedRows, List<String> doubleConversions, List<InputSelection.Skipped> skippedFiles) {
        public InputReport {
            files = List.copyOf(files);
            doubleConversions = List.copyOf(doubleConversions);
            skippedFiles = skippedFiles == null ? List.of() : List.copyOf(skippedFiles);
        }

        /** Every file read (nothing skipped). */
        public InputReport(String input, String source, String location, List<FileRead> files, long rowsRead,
                           long validRows, long quarantinedRows, long duplicateDeliveries, long conflictingIds,
                           long stagedRows, List<String> doubleConversions) {
            this(input, source, location, files, rowsRead, validRows, quarantinedRows, duplicateDeliveries, conflictingIds, stagedRows,
                    doubleConversions, List.of());
        }
    }

    /** Every DOUBLE/FLOAT conversion of both inputs, e.g. "events.quantity". */
    public List<String> doubleConversions() {
        List<String> out = new ArrayList<>(events.doubleConversions());
        out.addAll(decisions.doubleConversions());
        return List.copyOf(out);
    }

    public long quarantinedRows() {
        return events.quarantinedRows() + decisions.quarantinedRows();
    }
}
