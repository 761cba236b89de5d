#!/bin/bash
# usage: docs/backfill-scale.sh DIR N  (from the repository root, after ./mvnw -pl app -am package -DskipTests)
# Generates N events without faults, records correcting versions of the API and compute prices for February,
# then previews and applies a backfill of February, printing wall time, max RSS and the largest heap seen in the GC log.
set -e
R=$1; N=$2
A="java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx4g -Xlog:gc:file=$R/gc-%p.log -jar ${ATTEST_JAR:-app/target/attest.jar}"
mkdir -p $R
if [ ! -f $R/data/truth.json ]; then /usr/bin/time -f "generate wall %e s maxrss %M KB" $A generate --out $R/data --events $N --no-faults --seed 7; fi
P=$R/data/policies
grep -q "version: 3" $P/price-api_calls.yaml || cat >> $P/price-api_calls.yaml <<'Y'
  - version: 3
    valid_from: "2026-02-01T00:00:00Z"
    valid_to: "2026-03-01T00:00:00Z"
    recorded_at: "2026-03-02T09:00:00Z"
    rule:
      model: unit
      unit_price: "0.0003"
    rounding: {scale: 2, mode: half_even}
    change_ref: CHG-1400
    author: billing-ops
Y
grep -q "version: 2" $P/price-compute_seconds.yaml || python3 - $P/price-compute_seconds.yaml <<'PY'
import sys,re
p=sys.argv[1]; s=open(p).read()
v=s[s.index('  - version: 1'):]
v=v.replace('version: 1','version: 2').replace('valid_from: "2025-10-01T00:00:00Z"','valid_from: "2026-02-01T00:00:00Z"').replace('recorded_at: "2025-09-22T14:03:00Z"','recorded_at: "2026-03-02T09:00:00Z"').replace('unit_price: "0.0003"','unit_price: "0.00035"').replace('CHG-1002','CHG-1401')
open(p,'a').write(v if v.endswith('\n') else '\n'+v)
PY
rm -rf $R/out $R/meta*
COMMON="--events $R/data/events --decisions $R/data/decisions --policies $P --from 2026-02-01 --to 2026-03-01 --as-of 2026-03-10T00:00:00Z --out $R/out --metadata jdbc:h2:file:$R/meta;AUTO_SERVER=TRUE"
/usr/bin/time -f "preview wall %e s maxrss %M KB" $A backfill $COMMON 2> $R/preview.err > $R/preview.out || true
tail -8 $R/preview.err
ID=$(basename $(dirname $(tail -1 $R/preview.out)) | sed 's/backfill-//')
/usr/bin/time -f "apply wall %e s maxrss %M KB" $A backfill $COMMON --apply --preview $ID 2> $R/apply.err > $R/apply.out || true
grep -v "events/s, about" $R/apply.err | tail -5
for f in $R/gc-*.log; do echo "$f peak heap before GC (MiB): $(grep -o '[0-9]*M->' $f | sed 's/M->//' | sort -n | tail -1)"; done
