#!/usr/bin/env bash
# Batches on a real Slurm (issue 16, docs/cluster.md): a single-node cluster
# from Debian's packages (tests/slurm_cluster.sh, loopback only, stopped at
# the end), and through it a short `experiment` whose results must equal the
# local backend's (apart from timings and hosts); a job whose first attempt
# is killed (kill -9 of its process) is retried and the batch completes; a
# driver killed (kill -9) mid-batch resumes without running a finished job
# again, and tracks the jobs Slurm still runs instead of submitting them
# twice; Ctrl-C cancels the batch's jobs; the local backend retries and
# resumes the same way; bad backend options are one line, exit 2, nothing
# written. Where Slurm cannot start, the test fails with the reason.
# Usage: slurm_batch.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail=0
cluster=$work/cluster
trap 'bash "$src/tests/slurm_cluster.sh" stop "$cluster"' EXIT
if ! bash "$src/tests/slurm_cluster.sh" start "$cluster" > "$work/cluster.log" 2>&1; then
  echo "FAIL: the test cluster did not start: $(tail -1 "$work/cluster.log")"
  exit 1
fi
# shellcheck disable=SC1091
source "$cluster/env"

ds=mnist; [ -d "$src/../shared/datasets/mnist" ] || ds=fashion-mnist
cfg=$src/configs/mlp_mnist.json
# Four runs (float and fixed, two seeds) of about two seconds each.
printf '{"name": "t", "seeds": [1, 2], "studies": [{"name": "s", "dataset": "%s", "config": "%s", "runs": [{"label": "f", "arith": "float"}, {"label": "x", "arith": "fixed"}]}]}\n' \
  "$ds" "$cfg" > "$work/spec.json"
exp() {  # out-folder, then more options
  local out=$1; shift
  "$taxonn" experiment --spec "$work/spec.json" --out "$out" --epochs 2 --train-limit 20000 --test-limit 500 "$@"
}
exp_bg() {  # the same in the background, stderr to out.err: $! is taxonn's pid, not a subshell's
  local out=$1; shift
  "$taxonn" experiment --spec "$work/spec.json" --out "$out" --epochs 2 --train-limit 20000 --test-limit 500 "$@" \
    > /dev/null 2> "$out.err" &
}
slurm=(--backend slurm --slurm-poll 0.3 --slurm-mem 1G --slurm-time 10:00)

# The same results from both backends.
exp "$work/local" > /dev/null 2> "$work/local.err" || { echo "FAIL: local experiment: $(tail -2 "$work/local.err")"; fail=1; }
exp "$work/slurm" "${slurm[@]}" > /dev/null 2> "$work/slurm.err" || { echo "FAIL: slurm experiment: $(tail -2 "$work/slurm.err")"; fail=1; }
grep -q "submitted 4 jobs as Slurm array" "$work/slurm.err" || { echo "FAIL: the slurm experiment did not go through sbatch"; fail=1; }
same() {  # two results.json: equal apart from timings
  python3 - "$1" "$2" <<'PY'
import json, sys
def runs(f):
    r = json.load(open(f))["runs"]
    for x in r:
        for e in x["epochs"]:
            e.pop("images_per_second")
    return r
a, b = (runs(f) for f in sys.argv[1:])
if a != b or len(a) != 4:
    print(f"FAIL: {sys.argv[2]} differs from {sys.argv[1]}")
    sys.exit(1)
PY
}
same "$work/local/results.json" "$work/slurm/results.json" || fail=1

# starts.log: a line per job start (key host pid name).
starts() { wc -l < "$1/.batch/starts.log"; }
wait_start() {  # out, job-name: the pid of that job's first start
  local pid=""
  for _ in $(seq 300); do
    pid=$(awk -v n="$2" '{ name = $4; for (i = 5; i <= NF; i++) name = name " " $i; if (name == n) { print $3; exit } }' \
      "$1/.batch/starts.log" 2>/dev/null)
    [ -n "$pid" ] && break
    sleep 0.1
  done
  echo "$pid"
}

# A job killed on its first attempt is retried; the batch completes with the same results.
for backend in slurm local; do
  out=$work/retry_$backend
  if [ $backend = slurm ]; then opts=("${slurm[@]}"); else opts=(--jobs 2); fi
  exp_bg "$out" "${opts[@]}"
  driver=$!
  pid=$(wait_start "$out" "s / x seed 1")
  sleep 0.3
  if [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; then :; else echo "FAIL: $backend: could not kill the job 's / x seed 1' (pid '$pid')"; fail=1; fi
  rc=0; wait $driver || rc=$?
  [ $rc -eq 0 ] || { echo "FAIL: $backend: the batch with a killed job exited $rc: $(tail -2 "$out.err")"; fail=1; }
  grep -q "s / x seed 1: .*killed by signal 9\|s / x seed 1: Slurm job .* ended FAILED" "$out.err" ||
    { echo "FAIL: $backend: the killed job's failure is not reported: $(grep 'x seed 1' "$out.err" | head -3)"; fail=1; }
  grep -q "again (attempt 2 of 2)" "$out.err" || { echo "FAIL: $backend: the killed job was not run again"; fail=1; }
  [ "$(starts "$out")" -eq 5 ] || { echo "FAIL: $backend: $(starts "$out") job starts, not 4 + 1 retry"; fail=1; }
  same "$work/local/results.json" "$out/results.json" || fail=1
done

# A killed driver resumes: finished jobs are not run again, running ones are
# tracked (slurm) or rerun (local: they died with their driver).
for backend in slurm local; do
  out=$work/resume_$backend
  if [ $backend = slurm ]; then opts=("${slurm[@]}" --jobs 1); else opts=(--jobs 1); fi
  exp_bg "$out" "${opts[@]}"
  driver=$!
  for _ in $(seq 600); do [ "$(ls "$out/.batch/results" 2>/dev/null | wc -l)" -ge 1 ] && break; sleep 0.1; done
  kill -9 $driver; wait $driver 2>/dev/null
  finished=$(ls "$out/.batch/results" | sed 's/\.json$//')
  [ -n "$finished" ] || { echo "FAIL: $backend: no job had finished when the driver was killed"; fail=1; }
  exp "$out" "${opts[@]}" > /dev/null 2> "$out.err2" || { echo "FAIL: $backend: the resumed run failed: $(tail -2 "$out.err2")"; fail=1; }
  for k in $finished; do
    [ "$(grep -c "^$k " "$out/.batch/starts.log")" -eq 1 ] || { echo "FAIL: $backend: finished job $k ran again after the resume"; fail=1; }
  done
  grep -q "reused from earlier runs" "$out.err2" || { echo "FAIL: $backend: the resumed run did not say what it reused"; fail=1; }
  if [ $backend = slurm ]; then
    [ "$(starts "$out")" -eq 4 ] || { echo "FAIL: slurm: $(starts "$out") job starts after a resume, not 4 (a job ran twice)"; fail=1; }
    grep -q "from an earlier driver is .*: tracking it" "$out.err2" ||
      { echo "FAIL: slurm: the resumed driver did not track the jobs its predecessor had submitted"; fail=1; }
  fi
  same "$work/local/results.json" "$out/results.json" || fail=1
done

# Ctrl-C: the driver cancels its Slurm jobs, exits 130, the table marks the cut.
out=$work/int_slurm
exp_bg "$out" "${slurm[@]}" --jobs 1
driver=$!
wait_start "$out" "s / f seed 1" > /dev/null
kill -INT $driver; rc=0; wait $driver || rc=$?
[ $rc -eq 130 ] || { echo "FAIL: an interrupted slurm experiment exited $rc, not 130: $(tail -2 "$out.err")"; fail=1; }
grep -q "cancelled this batch's .* unfinished Slurm jobs" "$out.err" || { echo "FAIL: Ctrl-C did not cancel the Slurm jobs"; fail=1; }
for _ in $(seq 100); do
  left=$(squeue -h -t pending,running,completing -o %i | wc -l)
  [ "$left" -eq 0 ] && break
  sleep 0.1
done
[ "$left" -eq 0 ] || { echo "FAIL: $left Slurm jobs still queued or running after Ctrl-C"; fail=1; }

# A synthesis sweep (two widths, Yosys's generic cells) the same on both backends.
for backend in local slurm; do
  if [ $backend = slurm ]; then opts=("${slurm[@]}"); else opts=(); fi
  "$taxonn" synth --config "$src/configs/mlp_small.json" --sweep 10:11 --int-bits 3 --work "$work/sw_$backend" \
    --out "$work/sweep_$backend" "${opts[@]}" > /dev/null 2> "$work/sweep_$backend.err" ||
    { echo "FAIL: $backend synth sweep: $(tail -2 "$work/sweep_$backend.err")"; fail=1; }
done
cmp -s "$work/sweep_local/sweep.json" "$work/sweep_slurm/sweep.json" ||
  { echo "FAIL: the slurm synth sweep's sweep.json differs from the local one's"; fail=1; }
grep -q "submitted 2 jobs as Slurm array" "$work/sweep_slurm.err" || { echo "FAIL: the slurm sweep did not go through sbatch"; fail=1; }

# Independent RTL runs: `taxonn sim --seeds`, one Slurm job per seed, all bit-exact.
"$taxonn" sim --config "$src/configs/mlp_small.json" --seeds 1 2 --steps 20 --iters 1000 --out "$work/sim_seeds" \
  "${slurm[@]}" > "$work/sim_seeds.log" 2>&1 || { echo "FAIL: sim --seeds on slurm: $(tail -3 "$work/sim_seeds.log")"; fail=1; }
python3 - "$work/sim_seeds/seeds.json" <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))["runs"]
ok = [x["seed"] for x in r] == [1, 2] and all(x["result"] == "pass" for x in r)
ok = ok and all(c["status"] == "pass" for x in r for c in x["report"]["checks"])
ok = ok and [x["report"]["seed"] for x in r] == [1, 2]
if not ok:
    print("FAIL: sim --seeds 1 2 on slurm: not one passing run per seed:", [(x["seed"], x["result"]) for x in r])
sys.exit(0 if ok else 1)
PY
grep -q "submitted 2 jobs as Slurm array" "$work/sim_seeds.log" || { echo "FAIL: sim --seeds did not go through sbatch"; fail=1; }

# Bad input: one line, exit 2, nothing written.
bad() {  # expected text, then options
  local want=$1; shift
  rm -rf "$work/bad"
  err=$(exp "$work/bad" "$@" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] || { echo "FAIL: exit $rc (not 2): $*: $err"; fail=1; return; }
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || { echo "FAIL: not one line: $*: $err"; fail=1; }
  grep -qF -- "$want" <<<"$err" || { echo "FAIL: '$want' not in: $err"; fail=1; }
  [ ! -e "$work/bad" ] || { echo "FAIL: $*: output written"; fail=1; }
}
bad "--backend 'pbs': unknown backend; use local or slurm" --backend pbs
bad "invalid partition specified: nope" "${slurm[@]}" --slurm-partition nope
bad "(--batch-work): cannot write in /proc" --batch-work /proc/taxonn
bad "--retries -1" --retries -1
bad "--slurm-poll inf: give a number of seconds" --backend slurm --slurm-poll inf
err=$(PATH=$work/no_slurm "$taxonn" experiment --spec "$work/spec.json" --out "$work/bad" --backend slurm 2>&1 >/dev/null)
rc=$?
{ [ $rc -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && grep -qF "sbatch is not on PATH" <<<"$err" && [ ! -e "$work/bad" ]; } ||
  { echo "FAIL: without sbatch on PATH: exit $rc: $err"; fail=1; }
exit $fail
