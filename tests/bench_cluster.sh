#!/usr/bin/env bash
# Benchmark (make bench-cluster): what a batch pays for going through Slurm
# instead of the local process pool, on the single-node test cluster
# (tests/slurm_cluster.sh) of this machine: the same batches of tiny
# training jobs (a few milliseconds of work each) on both backends in one
# run; the difference is the backend's overhead. Writes OUT/overhead.json
# and OUT/overhead.md (docs/cluster.md cites them).
# Usage: bench_cluster.sh TAXONN_BINARY SOURCE_DIR WORK_DIR OUT_DIR
set -euo pipefail
taxonn=$1 src=$2 work=$3 out=$4
rm -rf "$work" && mkdir -p "$work" "$out"
cluster=$work/cluster
trap 'bash "$src/tests/slurm_cluster.sh" stop "$cluster"' EXIT
bash "$src/tests/slurm_cluster.sh" start "$cluster" > "$work/cluster.log" 2>&1 ||
  { echo "bench-cluster: the test cluster did not start: $(tail -1 "$work/cluster.log")" >&2; exit 1; }
source "$cluster/env"

ds=mnist; [ -d "$src/../shared/datasets/mnist" ] || ds=fashion-mnist
runs=""
for l in $(seq 8); do runs="$runs${runs:+, }{\"label\": \"r$l\", \"arith\": \"float\"}"; done
printf '{"name": "b", "studies": [{"name": "s", "dataset": "%s", "config": "%s", "runs": [%s]}]}\n' \
  "$ds" "$src/configs/mlp_mnist.json" "$runs" > "$work/spec8.json"
printf '{"name": "b", "studies": [{"name": "s", "dataset": "%s", "config": "%s", "runs": [{"label": "r1", "arith": "float"}]}]}\n' \
  "$ds" "$src/configs/mlp_mnist.json" > "$work/spec1.json"
cpus=$(nproc)
# Wall seconds of one experiment (a fresh work folder: nothing reused).
wall() {  # spec, name, backend options...
  local spec=$1 name=$2; shift 2
  local t0 t1
  t0=$(date +%s%N)
  "$taxonn" experiment --spec "$spec" --out "$work/$name" --epochs 1 --train-limit 20 --test-limit 20 "$@" \
    > /dev/null 2> "$work/$name.err" || { echo "bench-cluster: $name failed: $(tail -2 "$work/$name.err")" >&2; exit 1; }
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))  # ms
}
slurm=(--backend slurm --slurm-poll 0.2 --slurm-mem 500M --slurm-time 5:00)
echo "bench-cluster: one job, then 8 jobs, each on the local backend and on Slurm ($cpus CPUs)" >&2
l1=$(wall "$work/spec1.json" local1 --jobs "$cpus")
s1=$(wall "$work/spec1.json" slurm1 "${slurm[@]}" --jobs 0)
l8=$(wall "$work/spec8.json" local8 --jobs "$cpus")
s8=$(wall "$work/spec8.json" slurm8 "${slurm[@]}" --jobs 0)
python3 - "$out" "$cpus" "$l1" "$s1" "$l8" "$s8" "$(sinfo -V)" "$(uname -n)" <<'PY'
import json, sys
out, cpus = sys.argv[1], int(sys.argv[2])
l1, s1, l8, s8 = (int(x) / 1000 for x in sys.argv[3:7])
r = {
    "what": "wall seconds of an experiment of tiny training jobs (20 images each), local process pool vs Slurm",
    "cpus": cpus, "slurm": sys.argv[7], "poll_seconds": 0.2,
    "one_job": {"local_s": l1, "slurm_s": s1, "latency_added_s": s1 - l1},
    "eight_jobs": {"local_s": l8, "slurm_s": s8, "overhead_per_job_s": (s8 - l8) * cpus / 8},
}
json.dump(r, open(out + "/overhead.json", "w"), indent=2)
md = f"""# Slurm overhead per job (make bench-cluster)

The single-node test cluster of tests/slurm_cluster.sh ({r['slurm']}, {cpus} CPUs, squeue polled every 0.2 s),
the same experiments of tiny training jobs (20 images each) on the local process pool and on Slurm, in one run.

| batch | local (s) | Slurm (s) | added by Slurm |
| --- | --- | --- | --- |
| 1 job | {l1:.2f} | {s1:.2f} | {s1 - l1:.2f} s latency |
| 8 jobs, {cpus} at a time | {l8:.2f} | {s8:.2f} | {(s8 - l8) * cpus / 8:.2f} s per job and CPU slot |

Regenerate: `make bench-cluster` (`DOCS=1` writes docs/cluster/).
"""
open(out + "/overhead.md", "w").write(md)
print(md)
PY
