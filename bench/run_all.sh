#!/usr/bin/env bash
# Every benchmark, one after another on an otherwise idle machine; output into bench/out/*.log.
set -uo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
mkdir -p bench/out
for b in "bench_latency" "bench_draw --strokes 30" "bench_explore --repeats 20" "bench_train" \
         "bench_load --sessions 8 --seconds 150" "bench_memory --reruns 300"; do
  name=${b%% *}
  echo "== python -m bench.$b" | tee bench/out/$name.log
  python -m bench.$b 2>&1 | grep -v -E "Warning|warn\(|^\s*$|ScriptRunContext" | tee -a bench/out/$name.log
done
