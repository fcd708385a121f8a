#!/bin/bash
# `make bench` (part 3): the network RTL's simulation speed beside the golden
# model, for the shipped testbench (the project's build) and for the
# profile-guided one that `taxonn sim --pgo` builds for long runs (docs/sim.md,
# "Long runs"). Both train the same steps in alternating rounds, so their
# ratio comes from one run on one machine; each testbench also times the
# golden model on the same samples (golden/RTL).
#
# usage: bench_rtl.sh TAXONN BUILD_DIR CONFIG STEPS OUT_TXT
set -euo pipefail
fail() { echo "bench-rtl: $*" >&2; exit 2; }
[ $# -eq 5 ] || fail "usage: bench_rtl.sh TAXONN BUILD_DIR CONFIG STEPS OUT_TXT (make bench passes them)"
taxonn=$1 build=$2 config=$3 steps=$4 out=$5
rounds=2
[ -f "$config" ] || fail "config $config not found; give a config JSON (configs/*.json)"
[[ "$steps" =~ ^[1-9][0-9]*$ ]] || fail "steps '$steps' is not a positive number"

name=$(basename "$config" .json)
plain=$build/verilator_tb/tb_net_$name
[ -x "$plain" ] || fail "$plain is not built; run make build"
[ -x "$taxonn" ] || fail "$taxonn is not built; run make build"
mkdir -p "$(dirname "$out")" 2> /dev/null && touch "$out.tmp" 2> /dev/null ||
  fail "cannot write $out; pass a writable RESULTS folder"
trap 'rm -f "$out.tmp"' EXIT  # the rounds so far; $out appears only whole

sim_out=$build/sim/bench_pgo_$name
"$taxonn" sim --config "$config" --pgo --build-only --out "$sim_out" > "$out.build.log" 2>&1 ||
  fail "the profile-guided build of $name failed; see $out.build.log"
pgo=$(awk '$1 == "network" && $2 == "built" {print $3}' "$out.build.log")
[ -x "$pgo" ] || fail "no profile-guided testbench in $out.build.log"
rm -f "$out.build.log"

# speed VARIANT BINARY: one round; prints the testbench's result and speed lines, prefixed.
speed() {
  local log=$out.$1.log
  "$2" --config "$config" --steps "$steps" --check-every 1000000 --quiet > "$log" 2>&1 ||
    fail "the $1 testbench of $name failed; see $log"
  grep -E '^(speed|tb_net: [0-9])' "$log" | sed "s/^/$1 /"
  rm -f "$log"
}
: > "$out.tmp"
for r in $(seq "$rounds"); do
  speed plain "$plain" | tee -a "$out.tmp"
  speed pgo "$pgo" | tee -a "$out.tmp"
done
# The ratio of the means of RTL samples/s over the rounds.
awk '/ speed: RTL simulation / { v = $1; for (i = 1; i <= NF; i++) if ($i == "simulation") s[v] += $(i + 1); n[v]++ }
     END { if (n["plain"] == 0 || n["pgo"] == 0) exit 1
           printf "pgo/plain: %.2fx RTL samples/s (%.1f against %.1f, means of %d alternating rounds)\n",
                  (s["pgo"] / n["pgo"]) / (s["plain"] / n["plain"]), s["pgo"] / n["pgo"], s["plain"] / n["plain"], n["pgo"] }' \
  "$out.tmp" | tee -a "$out.tmp" || fail "no speed lines from the testbenches"
mv "$out.tmp" "$out"
