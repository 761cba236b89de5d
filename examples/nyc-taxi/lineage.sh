#!/usr/bin/env bash
# The lineage-gap report of the NYC TLC yellow-taxi samples (same mapping and window as run.sh, no rating).
# Usage: examples/nyc-taxi/lineage.sh [DATA_DIR] [OUT_DIR] [extra options]
exec env ATTEST_COMMAND=lineage "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
