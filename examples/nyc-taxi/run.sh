#!/usr/bin/env bash
# Audits the NYC TLC yellow-taxi samples in ../shared/datasets against the congestion surcharge policy.
# Usage: examples/nyc-taxi/run.sh [DATA_DIR] [OUT_DIR] [extra options]
# ATTEST_COMMAND=lineage runs the lineage-gap report of the same mapping and window instead (see lineage.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$(cd "${1:-$here/../../../shared/datasets/nyc-tlc-yellow}" && pwd)"
out="${2:-$here/out}"
sql() { sed "s#\${DATA}#$data#g" "$here/trips.sql" "$here/$1"; }
exec "$here/../../attest" "${ATTEST_COMMAND:-audit}" \
  --events-sql "$(sql events.sql)" \
  --decisions-sql "$(sql decisions.sql)" \
  --policies "$here/policies" \
  --assume-zone America/New_York \
  --from 2019-01-19T05:00:00Z --to 2019-02-16T05:00:00Z \
  --as-of 2019-06-01T00:00:00Z \
  --out "$out" "${@:3}"
