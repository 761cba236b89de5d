package dev.attest.io.input;

/**
 * Every staging case of {@link InputStagerTest} again with every input staged as a copy ({@code -Dattest.stage.inputs=copy}):
 * there, a Parquet input whose rows are already in staging's form is read in place, and the cases assert the same rows,
 * columns, quarantine and duplicates either way.
 */
class InputStagerCopyTest extends InputStagerTest {
    @Override
    InputStager stager() {
        return new InputStager(duck).copyingInputs();
    }
}
