#!/bin/bash
# `make bench` (part 2): the golden model's training speed against an older
# commit, measured on this machine in one run. Issue 14 set its speed goal
# against the fixed-point figure of the code it was filed on (commit
# bdfb6bc); a figure measured on another machine cannot be compared with
# today's, so this builds that commit's benchmark from `git archive` (no
# worktree is registered in the user's repository), runs it and today's in
# alternating rounds on the same data, and writes the ratios.
#
# usage: bench_baseline.sh NEW_BENCH BUILD_DIR OUT_DIR [REV]
set -euo pipefail
new_bench=$1 build=$2 out=$3 rev=${4:-bdfb6bc}
src=$(cd "$(dirname "$0")/.." && pwd)
rounds=3 images=3000

fail() { echo "bench-baseline: $*" >&2; exit 2; }
[ -x "$new_bench" ] || fail "$new_bench is not built; run make build"
git -C "$src" rev-parse --verify -q "$rev^{commit}" > /dev/null ||
  fail "commit $rev is not in this clone's history; clone with history (git clone, not an archive) or pass BASELINE=REV"
mkdir -p "$out" 2> /dev/null && [ -w "$out" ] || fail "cannot write to $out; pass a writable RESULTS folder"

base=$build/bench_baseline/$rev
old_bench=$base/build/tests/taxonn_bench
if [ ! -x "$old_bench" ]; then
  echo "bench-baseline: building commit $rev's benchmark in $base (once; a few minutes)"
  rm -rf "$base"
  mkdir -p "$base/src"
  git -C "$src" archive "$rev" | tar -x -C "$base/src"
  cmake -S "$base/src" -B "$base/build" -DCMAKE_BUILD_TYPE=Release > "$base/configure.log" 2>&1 ||
    fail "configuring commit $rev failed; see $base/configure.log"
  make -C "$base/build" taxonn_bench > "$base/build.log" 2>&1 || fail "building commit $rev failed; see $base/build.log"
fi

# Both read the same dataset: the one beside this source tree (the old
# tree's own default would be beside build/).
if [ -z "${TAXONN_DATA_DIR:-}" ] && [ -d "$src/../shared/datasets" ]; then
  export TAXONN_DATA_DIR=$(cd "$src/../shared/datasets" && pwd)
fi

log=$base/rounds.txt
: > "$log"
for r in $(seq "$rounds"); do
  echo "bench-baseline: round $r of $rounds"
  { echo "== old $r"; "$old_bench" "$images"; echo "== new $r"; "$new_bench" "$images"; } >> "$log" 2>&1 ||
    fail "a benchmark run failed; see $log"
done

python3 - "$log" "$out" "$rev" "$images" <<'PY'
import json, re, statistics, sys
log, out, rev, images = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
runs, cur, datasets = {"old": [], "new": []}, None, set()
for line in open(log):
    m = re.match(r"== (old|new) \d+", line)
    if m:
        cur = {"fixed": None, "float": None}
        runs[m.group(1)].append(cur)
        continue
    m = re.search(r"images of (\S+) each", line)
    if m:
        datasets.add(m.group(1))
    m = re.match(r"\s+(fixed point|float32)\D+?([0-9]+) images/s", line)
    if m and cur is not None:
        cur["fixed" if m.group(1) == "fixed point" else "float"] = float(m.group(2))
if len(datasets) != 1 or any(r["fixed"] is None or r["float"] is None for k in runs for r in runs[k]):
    sys.exit(f"bench-baseline: could not read both benchmarks' figures (datasets {sorted(datasets)}); see {log}")
pairs = list(zip(runs["old"], runs["new"]))
fixed_ratio = statistics.median(n["fixed"] / o["fixed"] for o, n in pairs)
float_ratio = statistics.median(n["float"] / o["float"] for o, n in pairs)
med = lambda k, a: statistics.median(r[a] for r in runs[k])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
j = {"benchmark": "LeNet-5 SGD training, batch 1, one thread: today's golden model against an older commit's",
     "baseline_commit": rev, "dataset": datasets.pop(), "images_per_run": images, "rounds": len(pairs), "cpu": cpu,
     "baseline_fixed_images_per_second": med("old", "fixed"), "baseline_float_images_per_second": med("old", "float"),
     "fixed_images_per_second": med("new", "fixed"), "float_images_per_second": med("new", "float"),
     "fixed_over_baseline_fixed": fixed_ratio, "float_over_baseline_float": float_ratio,
     "baseline_fixed_over_float": statistics.median(r["fixed"] / r["float"] for r in runs["old"]),
     "fixed_over_float": statistics.median(r["fixed"] / r["float"] for r in runs["new"])}
json.dump(j, open(out + "/baseline.json", "w"), indent=2)
md = f"""# Golden-model training speed against commit {rev}

Written by `make bench` (tests/bench_baseline.sh) from baseline.json: commit
{rev}'s benchmark (the code issue 14 was filed on) and today's, built on this
machine and run in {len(pairs)} alternating rounds of {images} {j['dataset']} images per
arithmetic, on {cpu}. Ratios are medians over the rounds.

| | commit {rev} | today | today / {rev} |
| --- | --- | --- | --- |
| fixed point, bit-exact, images/s | {j['baseline_fixed_images_per_second']:.0f} | {j['fixed_images_per_second']:.0f} | **{fixed_ratio:.2f}x** |
| float32, images/s | {j['baseline_float_images_per_second']:.0f} | {j['float_images_per_second']:.0f} | {float_ratio:.2f}x |
| fixed / float | {j['baseline_fixed_over_float']:.2f} | {j['fixed_over_float']:.2f} | |
"""
open(out + "/baseline.md", "w").write(md)
print(md)
PY
