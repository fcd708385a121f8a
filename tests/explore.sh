#!/usr/bin/env bash
# ctest explore: a small `taxonn explore` end to end (docs/explore.md), on
# mlp_small and the synthetic teacher dataset (tests/explore/), with
# Nangate45 from ../shared or, without it, Yosys's generic cells (the study
# says so). Checks: bad specs are one line, exit 2 and write nothing; a run
# killed (kill -9) mid-study resumes without rerunning a finished job; the
# front is exactly the non-dominated set of the usable points; its configs
# are written and the cheapest one passed the RTL co-simulation; a rerun
# reuses every synthesis and training and writes the same results.
# Usage: explore.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
spec=$src/tests/explore/mlp_small_teacher.json
out=$work/study
fail() { echo "explore test: FAIL: $*" >&2; exit 1; }

# 1. Bad specs.
bad() {  # name, python statement editing the spec j, expected text
  local f=$work/bad_$1.json
  python3 - "$spec" "$f" "$2" "$src" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["config"] = sys.argv[4] + "/configs/mlp_small.json"
j.pop("synth")
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(j))
PY
  local rc=0
  "$taxonn" explore --spec "$f" --out "$work/bad_out" > "$work/bad.out" 2> "$work/bad.err" || rc=$?
  [ "$rc" = 2 ] || fail "bad spec $1: exit $rc, not 2 ($(cat "$work/bad.err"))"
  [ "$(wc -l < "$work/bad.err")" = 1 ] || fail "bad spec $1: not one line: $(cat "$work/bad.err")"
  grep -q -- "$3" "$work/bad.err" || fail "bad spec $1: '$(cat "$work/bad.err")' does not say '$3'"
  [ ! -e "$work/bad_out" ] || fail "bad spec $1 wrote $work/bad_out"
}
bad unknown_key 'j["colour"] = 1' 'colour: unknown field'
bad empty_range 'j["space"]["fc3"]["frac_bits"] = [12, 10]' 'empty range'
bad impossible 'j["space"]["fc4"]["width"] = [6, 13]' 'is not a format fc4 can take'
bad unknown_layer 'j["space"]["fc9"] = {"int_bits": [2, 3], "frac_bits": [8, 9]}' 'not a weighted layer'
bad objective 'j["objectives"] = ["accuracy", "speed"]' 'not an objective'
bad no_cost 'j["objectives"] = ["accuracy"]' 'at least one cost'
bad pes 'j["space"]["fc4"]["pes"] = [0]' 'not a PE count'
bad dataset 'j["dataset"] = "mnist"; j["data_dir"] = "/nonexistent"' 'dataset'
bad budget 'j["budget"]["points"] = 1; j["anchors"]["uniform_widths"] = [12, 13]' 'cannot hold'
bad seeds 'j["accuracy"]["seeds"] = [1, 1]' 'given twice'
bad sram_on_flops 'j["synth"] = {"sram": "/tmp"}' "scratchpads are flip-flops"
bad memory_unknown 'j["synth"] = {"memory": "dram"}' "synth.memory: unknown memory 'dram'"
bad sram_no_macros 'j["synth"] = {"memory": "sram"}' 'synth.sram: missing'
bad sram_missing 'c = json.load(open(j["config"])); c["memory"] = "sram"; json.dump(c, open(sys.argv[2] + ".cfg.json", "w")); j["config"] = sys.argv[2] + ".cfg.json"' 'synth.sram: missing'
echo '{"name": ' > "$work/bad_json.json"
rc=0; "$taxonn" explore --spec "$work/bad_json.json" --out "$work/bad_out" 2> "$work/bad.err" || rc=$?
[ "$rc" = 2 ] && [ ! -e "$work/bad_out" ] || fail "unreadable spec: exit $rc: $(cat "$work/bad.err")"
for args in "--liberty /nonexistent.lib" "--jobs 0" "--backend cloud" "--out /proc/no_such_folder"; do
  case $args in --out*) ;; *) args="$args --out $work/bad_out";; esac
  rc=0; "$taxonn" explore --spec "$spec" $args > /dev/null 2> "$work/bad.err" || rc=$?
  [ "$rc" = 2 ] && [ "$(wc -l < "$work/bad.err")" = 1 ] && [ ! -e "$work/bad_out" ] ||
    fail "explore $args: exit $rc: $(cat "$work/bad.err")"
done
"$taxonn" explore --spec "$spec" --check > "$work/check.out" || fail "--check of the test spec failed"
grep -q "format points in the space" "$work/check.out" && [ ! -e "$src/build/explore/mlp_small_teacher" ] ||
  fail "--check: $(cat "$work/check.out")"
echo "explore test: 13 bad specs and 4 bad options refused, one line each, nothing written; --check runs nothing"

# 2. A run killed mid-study, then resumed.
"$taxonn" explore --spec "$spec" --out "$out" > "$work/run1.log" 2>&1 &
pid=$!
# Up to 10 minutes: the first batch synthesizes the anchors' units, which
# took over 2 minutes on a loaded 2-core machine (the wait is not a timing
# check; a run that ends early fails below).
for _ in $(seq 3000); do
  # After the first batch (points.json) and once a second batch has started.
  [ -e "$out/points.json" ] && [ "$(grep -c '^batch' "$work/run1.log")" -ge 2 ] && break
  kill -0 "$pid" 2> /dev/null || fail "the first run ended before it could be killed: $(tail -3 "$work/run1.log")"
  sleep 0.2
done
sleep 2
kill -9 "$pid"
wait "$pid" 2> /dev/null || true
python3 -c "import json,sys; sys.exit(json.load(open('$out/points.json'))['finished'])" ||
  fail "the killed run says it finished"
done_before=$(cd "$out/.batch/results" && ls *.json | sed 's/\.json$//' | sort)
starts_before=$(wc -l < "$out/.batch/starts.log")
"$taxonn" explore --spec "$spec" --out "$out" > "$work/run2.log" 2>&1 || fail "the resumed run failed: $(tail -5 "$work/run2.log")"
grep -q 'reused from earlier runs' "$work/run2.log" || fail "no batch line in the resumed run"
rerun=$(tail -n +"$((starts_before + 1))" "$out/.batch/starts.log" | cut -d' ' -f1 | sort -u | comm -12 - <(echo "$done_before"))
[ -z "$rerun" ] || fail "the resumed run reran finished jobs: $rerun"
echo "explore test: killed after $(echo "$done_before" | wc -l) finished jobs; the resumed run reran none of them"

# 3. The study's results.
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
r = json.load(open(os.path.join(out, "points.json")))
assert r["finished"], "not finished"
objs = r["objectives"]
screen = any("screen_accuracy" in p for p in r["points"])
def vec(p):
    v = []
    for o in objs:
        if o == "accuracy": v.append(-(p["screen_accuracy"] if screen else p["accuracy"])["mean"])
        elif o == "area": v.append(p["area"])
        elif o == "energy": v.append(p["energy_nj_per_sample"])
        elif o == "cycles": v.append(p["cycles_per_step"])
        elif o == "fmax": v.append(-p["fmax_mhz"])
    return v
usable = [p for p in r["points"] if "error" not in p and "area" in p and ("screen_accuracy" if screen else "accuracy") in p]
assert len(usable) >= 5, f"only {len(usable)} usable points"
def dom(a, b): return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))
front = [p for p in usable if p["front"]]
assert front, "empty front"
for p in usable:
    dominated = any(dom(vec(q), vec(p)) for q in usable if q is not p)
    assert p["front"] == (not dominated), f"{p['label']}: front {p['front']} but dominated {dominated}"
for p in front:
    assert os.path.exists(os.path.join(out, p["config"])), p
checked = [p for p in front if "rtl_check" in p]
assert checked and all(p["rtl_check"].startswith("pass") for p in checked), checked
assert any(p["origin"].startswith("paper") for p in usable), "no paper anchor"
assert any(p["pes"] != usable[0]["pes"] for p in r["points"]), "no PE-count variant"
if r["area_unit"] == "um^2":
    assert all(p["energy_nj_per_sample"] > 0 and p["fmax_mhz"] > 0 for p in usable)
else:
    print("explore test: note: no liberty (../shared/pdk missing): generic cells, no energy")
for f in ("report.md", "front.csv", "points.csv", "explore.gp"):
    assert os.path.exists(os.path.join(out, f)), f
print(f"explore test: {len(usable)} points, {len(front)} on the front, non-dominated and complete; "
      f"{len(checked)} checked in RTL")
PY
if command -v gnuplot > /dev/null; then [ -s "$out/explore.svg" ] || fail "gnuplot is here but no explore.svg"; fi

# 4. A rerun reuses everything and writes the same points.
cp "$out/points.csv" "$work/points2.csv"
cp "$out/front.csv" "$work/front2.csv"
"$taxonn" explore --spec "$spec" --out "$out" > "$work/run3.log" 2>&1 || fail "the rerun failed"
python3 - "$out/points.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["syntheses"]["run"] == 0 and r["syntheses"]["reused"] > 0, r["syntheses"]
assert r["trainings"]["run"] == 0, r["trainings"]
PY
grep -q ' 0 to run' "$work/run3.log" && ! grep -q -v ' 0 to run' <(grep '^batch' "$work/run3.log") ||
  fail "the rerun ran jobs: $(grep '^batch' "$work/run3.log")"
cmp -s "$out/points.csv" "$work/points2.csv" || fail "the rerun's points.csv differs"
cmp -s "$out/front.csv" "$work/front2.csv" || fail "the rerun's front.csv differs"
echo "explore test: the rerun reused every synthesis and training and wrote the same points"
echo "explore test: PASS"
