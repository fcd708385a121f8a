#!/usr/bin/env bash
# Waveforms on demand (issue 18, docs/sim.md "Waveforms"): `taxonn sim
# --trace` builds traced testbenches and each writes exactly its window of
# cycles (10 ns a cycle: the pre-edge state at 10c+5, the edge at 10c+10),
# read back with GTKWave's FST reader (fst_read); --trace-step opens the
# network's window at an SGD step; the shipped, untraced testbench refuses
# --trace in one line; bad trace options are one line, exit 2, no file.
# Usage: trace.sh TAXONN_BINARY SOURCE_DIR WORK_DIR FST_READ TB_NET_MLP_SMALL
set -uo pipefail
taxonn=$1 src=$2 work=$3 fst_read=$4 tb_net=$5
rm -rf "$work" && mkdir -p "$work"
export TAXONN_SIM_CACHE=$work/cache
cfg=$src/configs/mlp_small.json
fail=0
no() { echo "FAIL: $*"; fail=1; }
sim() { "$taxonn" sim --config "$cfg" --iters 400 --steps 4 --quiet "$@"; }

# The clock as the window [first, first+n) must show it: 0 at 10c+5, 1 at 10c+10.
clock_of() {  # first n
  local s="TOP.clk_i" c
  for ((c = $1; c < $1 + $2; c++)); do s+=" $((10 * c + 5))=0 $((10 * c + 10))=1"; done
  echo "$s"
}

# 1. Both checks traced: FILE.pe.fst and FILE.net.fst, cycles 0..299 each.
sim --out "$work/run1" --trace "$work/run1/w.fst" --trace-cycles 300 > "$work/run1.txt" 2>&1 \
  || { cat "$work/run1.txt"; no "traced sim failed"; }
grep -q "building the traced testbench" "$work/run1.txt" || no "no traced build said"
for t in pe net; do
  f=$work/run1/w.$t.fst
  [ -s "$f" ] || { no "$f not written"; continue; }
  "$fst_read" "$f" TOP.clk_i > "$work/run1.$t.read" 2>&1 || { cat "$work/run1.$t.read"; no "$f unreadable"; continue; }
  grep -q "^start 5 end 3000 " "$work/run1.$t.read" || no "$t trace is not cycles 0..299: $(head -1 "$work/run1.$t.read")"
  [ "$(grep '^TOP.clk_i' "$work/run1.$t.read")" = "$(clock_of 0 300)" ] || no "$t trace: the clock is not 10 ns per cycle"
  grep -q "\"trace\": \"$f\"" "$work/run1/sim.json" || no "sim.json does not name $f"
done
grep -q "trace: cycles 0..299 of 400 " "$work/run1.txt" || no "tb_pe did not say what the trace holds"
ls "$work/run1" | grep -q "tmp-" && no "a temporary trace file was left"

# 2. A window inside the run, and the network's from an SGD step.
sim --out "$work/run2" --trace "$work/run2/w.fst" --trace-start 100 --trace-cycles 50 > "$work/run2.txt" 2>&1 \
  || { cat "$work/run2.txt"; no "windowed sim failed"; }
"$fst_read" "$work/run2/w.pe.fst" TOP.clk_i > "$work/run2.read" 2>&1 || no "windowed PE trace unreadable"
grep -q "^start 1005 end 1500 " "$work/run2.read" || no "PE window 100..149 wrong: $(head -1 "$work/run2.read")"
[ "$(grep '^TOP.clk_i' "$work/run2.read")" = "$(clock_of 100 50)" ] || no "PE window 100..149: clock wrong"
cache_hits=$(grep -c "cached: " "$work/run2.txt")
[ "$cache_hits" -eq 2 ] || no "the traced testbenches were not reused from the cache ($cache_hits)"
sim --pe-only --out "$work/run3" --trace "$work/run3/pe.fst" > "$work/run3.txt" 2>&1 || no "--pe-only trace failed"
[ -s "$work/run3/pe.fst" ] || no "one check: FILE.fst itself not written"
sim --out "$work/run4" --trace "$work/run4/w.fst" --trace-step 2 --trace-cycles 400 > "$work/run4.txt" 2>&1 \
  || { cat "$work/run4.txt"; no "--trace-step sim failed"; }
"$fst_read" "$work/run4/w.net.fst" TOP.clk_i TOP.start_i TOP.done_o > "$work/run4.read" 2>&1 || no "step trace unreadable"
start=$(awk '/^start/ {print $2}' "$work/run4.read")
first=$(( (start - 5) / 10 ))
# Step 2 starts after the weight load and two steps; its run (start_i) and its done follow inside the window.
[ "$first" -gt 300 ] || no "--trace-step 2 window starts at cycle $first, before two steps could have run"
grep -qE '^TOP.start_i .*=1' "$work/run4.read" || no "step 2's start pulse not in its window"
grep -qE '^TOP.done_o .*=1' "$work/run4.read" || no "step 2's done not in its window"
grep -q "trace: cycles $first\.\." "$work/run4.txt" || no "tb_net did not say the window it wrote"

# 3. Bad trace input: one line, exit 2, no file.
bad() {  # what, expected text, args...
  local what=$1 want=$2
  shift 2
  "$@" > "$work/bad.out" 2> "$work/bad.err"
  local rc=$?
  [ $rc -eq 2 ] || no "$what: exit $rc, not 2"
  [ "$(wc -l < "$work/bad.err")" -eq 1 ] || no "$what: not one line: $(cat "$work/bad.err")"
  grep -q -- "$want" "$work/bad.err" || no "$what: '$want' not in: $(cat "$work/bad.err")"
}
bad "window without --trace" "need --trace" sim --out "$work/b1" --trace-cycles 10
bad "not an .fst name" "FST file" sim --out "$work/b2" --trace "$work/b2/w.vcd"
bad "--trace-step past the run" "has 4 steps" sim --out "$work/b3" --trace "$work/b3/w.fst" --trace-step 4
bad "--trace-start past the PE run" "runs 400 cycles" sim --out "$work/b4" --trace "$work/b4/w.fst" --trace-start 400
bad "--trace-step and --trace-start" "give one" sim --out "$work/b5" --trace "$work/b5/w.fst" --trace-step 1 --trace-start 3
bad "unwritable --trace" "--trace" sim --out "$work/b6" --trace /proc/no/w.fst
bad "--trace-cycles 0" "trace-cycles" sim --out "$work/b7" --trace "$work/b7/w.fst" --trace-cycles 0
bad "untraced shipped testbench" "without waveform support" "$tb_net" --config "$cfg" --steps 1 --trace "$work/b8.fst"
[ -e "$work/b8.fst" ] && no "the untraced testbench wrote a file"
traced_net=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print([c['build']['binary'] for c in r['checks'] if c['check']=='network'][0])" "$work/run1/sim.json")
bad "window past the run's end" "no trace written" "$traced_net" --config "$cfg" --steps 1 --trace "$work/b9.fst" --trace-start 100000
ls "$work" | grep -q "b9.fst" && no "a window past the end left a file"
bad "tb_net --trace-step past the run" "has 1 steps" "$traced_net" --config "$cfg" --steps 1 --trace "$work/b10.fst" --trace-step 1
for d in b1 b2 b3 b4 b5 b6 b7; do
  [ -z "$(ls -A "$work/$d" 2> /dev/null)" ] || no "$d: bad input left output: $(ls "$work/$d")"
done

[ $fail -eq 0 ] && echo "trace: windows, cache, step window and bad input as documented"
exit $fail
