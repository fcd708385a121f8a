#!/usr/bin/env bash
# `taxonn sim` on configs that are not shipped (issue 13): a config written
# here (odd formats per layer, folded PEs, truncate and nearest rounding)
# builds and passes both checks; a second run takes both testbenches from the
# cache; a copy of the templates with one operator changed fails and names
# the first divergence; --pgo builds a profile-guided network testbench that
# passes the same checks (and a failing profile run fails its build); bad
# input (a config the network RTL does not cover, a missing dataset, an
# unwritable output, a missing config, --pgo without a network check or with
# a kit that has no profile flags) is one line, exit 2, no output. Its own cache, so the first run really builds.
# Usage: sim.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
export TAXONN_SIM_CACHE=$work/cache
fail=0
no() { echo "FAIL: $*"; fail=1; }

odd() {  # name, rounding of fc2, extra args to the first layer
  cat > "$work/$1.json" <<JSON
{
  "name": "$1",
  "description": "written by tests/sim.sh: not a shipped config",
  "input_shape": {"channels": 1, "height": 1, "width": 11},
  "input_format": {"int_bits": 2, "frac_bits": 6},
  "rounding": "nearest",
  "scratchpad_depth": 16,
  "alpha": 0.0625,
  "layers": [
    {"name": "h1", "type": "fc", "neurons": 9, "pes": 4,
     "format": {"int_bits": 3, "frac_bits": 7, "rounding": "truncate"}, "activation": "relu"},
    {"name": "h2", "type": "fc", "neurons": 5, "pes": 2,
     "format": {"int_bits": 2, "frac_bits": 11, "rounding": "$2"}, "activation": "sigmoid"},
    {"name": "o", "type": "fc", "neurons": 3,
     "format": {"int_bits": 5, "frac_bits": 9}, "activation": "identity", "alpha": 0.03125}
  ]
}
JSON
}
odd odd_net nearest
odd odd_stoch stochastic

sim() { "$taxonn" sim --steps 150 --iters 20000 --quiet "$@"; }

# 1. A new config builds and passes, and says what ran.
sim --config "$work/odd_net.json" --out "$work/run1" > "$work/run1.txt" 2>&1 || { cat "$work/run1.txt"; no "sim of a new config"; }
grep -q "not in the cache" "$work/run1.txt" || no "first run did not build"
grep -qE "^  pe +PASS" "$work/run1.txt" || no "no PE pass line"
grep -qE "^  network +PASS .*150 steps, 0 mismatches" "$work/run1.txt" || no "no network pass line"
grep -qE '"result": "pass"' "$work/run1/sim.json" || no "report does not say pass"
[ -s "$work/run1/pe.json" ] && [ -s "$work/run1/net.json" ] || no "testbench reports missing"

# 2. The same config again: both testbenches from the cache, nothing built.
sim --config "$work/odd_net.json" --out "$work/run2" > "$work/run2.txt" 2>&1 || no "second run failed"
grep -q "all from the cache, no build" "$work/run2.txt" || no "second run was not all cached"
! grep -qE "verilate|compile|link:" "$work/run2.txt" || no "second run built something"
[ "$(grep -c 'cached: ' "$work/run2.txt")" -eq 2 ] || no "not both testbenches cached"

# 3. A deliberately broken datapath: the accumulator subtracts instead of adding.
cp -r "$src/rtl_templates" "$work/broken"
sed -i 's/acc_d = acc_q + prod_ext;/acc_d = acc_q - prod_ext;/' "$work/broken/taxonn_acc.v"
cmp -s "$src/rtl_templates/taxonn_acc.v" "$work/broken/taxonn_acc.v" && no "the mutation did not apply"
sim --config "$work/odd_net.json" --templates "$work/broken" --out "$work/broken_run" > "$work/broken.txt" 2>&1
rc=$?
[ $rc -eq 1 ] || no "broken RTL: exit $rc, want 1"
grep -qE "^  pe +FAIL +first divergence: layer 'h1' .*neuron [0-9]+ step [0-9]+ .* rtl .* golden " "$work/broken.txt" \
  || no "broken RTL: the PE failure does not name layer, neuron, step and both values"
grep -qE "^  network +FAIL +first divergence: " "$work/broken.txt" || no "broken RTL: no network divergence"
ls "$work/broken_run"/repro_pe_*.json > /dev/null 2>&1 || no "broken RTL: no reproducer"
grep -qE '"result": "fail"' "$work/broken_run/sim.json" || no "broken RTL: report does not say fail"
# Its reproducer replays through `taxonn sim --replay` and fails again.
repro=$(ls "$work/broken_run"/repro_pe_*.json | head -n 1)
sim --config "$work/odd_net.json" --templates "$work/broken" --replay "$repro" --out "$work/replay" > "$work/replay.txt" 2>&1
[ $? -eq 1 ] || no "replay of the broken run's reproducer did not fail"

# 4. PE-only: a network ending in a conv layer is not covered by the network RTL.
cat > "$work/odd_convlast.json" <<'JSON'
{"name": "odd_convlast", "input_shape": {"channels": 1, "height": 6, "width": 6}, "rounding": "nearest",
 "scratchpad_depth": 16, "alpha": 0.0625,
 "layers": [{"name": "c1", "type": "conv", "out_channels": 2, "kernel": 3,
             "format": {"int_bits": 3, "frac_bits": 7}, "activation": "relu"}]}
JSON
sim --config "$work/odd_convlast.json" --pe-only --out "$work/pe_only" > "$work/pe_only.txt" 2>&1 || no "--pe-only run failed"
grep -qE "^  network +not covered" "$work/pe_only.txt" || no "--pe-only does not say why the network did not run"

# 5. Two runs of the same config at once, on an empty cache: both pass, and
# the cache holds one entry per testbench (the second rename lost, cleanly).
pids=()
for i in 1 2; do
  sim --config "$work/odd_stoch.json" --pe-only --cache "$work/cache2" --out "$work/conc$i" > "$work/conc$i.txt" 2>&1 &
  pids+=($!)
done
wait "${pids[0]}" || no "concurrent run 1 failed"
wait "${pids[1]}" || no "concurrent run 2 failed"
[ "$(ls "$work/cache2/bin" | wc -l)" -eq 1 ] && [ "$(ls "$work/cache2/model" | wc -l)" -eq 1 ] \
  || no "concurrent runs left $(ls "$work/cache2/bin" | wc -l) bin entries"
[ -z "$(ls -A "$work/cache2/tmp" 2>/dev/null)" ] || no "concurrent runs left temporaries: $(ls "$work/cache2/tmp")"

# 6. --pgo: the network testbench built instrumented, its profile run, built
# again from the profile; bit-exact like the plain one, cached by its own key;
# a profile run that fails (the broken datapath of 3) fails the build, named.
sim --config "$work/odd_net.json" --pgo --out "$work/pgo" > "$work/pgo.txt" 2>&1 || { cat "$work/pgo.txt"; no "--pgo run failed"; }
for stage in "compile the model instrumented" "profile run (--steps" "compile the model from the profile"; do
  grep -qF "[network] $stage" "$work/pgo.txt" || no "--pgo: no stage '$stage'"
done
grep -qE "^  network +PASS .*150 steps, 0 mismatches" "$work/pgo.txt" || no "--pgo: no network pass line"
sim --config "$work/odd_net.json" --pgo --out "$work/pgo2" > "$work/pgo2.txt" 2>&1 || no "second --pgo run failed"
grep -q "all from the cache, no build" "$work/pgo2.txt" || no "second --pgo run was not all cached"
sim --config "$work/odd_net.json" --pgo --templates "$work/broken" --out "$work/pgo_broken" > "$work/pgo_broken.txt" 2>&1
rc=$?
[ $rc -eq 1 ] || no "--pgo with broken RTL: exit $rc, want 1"
grep -qE "^  network +error +building the network testbench failed at 'profile run" "$work/pgo_broken.txt" \
  || no "--pgo with broken RTL: the failed profile run is not named"

# 7. Bad input: one line on stderr, exit 2, nothing written.
bad() {  # expected text, then arguments
  local want=$1; shift
  err=$("$taxonn" sim --quiet "$@" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] || no "exit $rc for: $*"
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || no "not one line: $err"
  grep -qF -- "$want" <<<"$err" || no "'$want' not in: $err"
  [ ! -e "$work/bad" ] || { no "output written for: $*"; rm -rf "$work/bad"; }
  echo "rejected: $err"
}
bad "does not cover config 'odd_convlast'" --config "$work/odd_convlast.json" --out "$work/bad"
bad "--pe-only" --config "$work/odd_convlast.json" --out "$work/bad"
bad "cannot open the config file" --config "$work/missing.json" --out "$work/bad"
bad "dataset" --config "$work/odd_net.json" --dataset mnist --data-dir "$work/no_mnist" --out "$work/bad"
bad "--dataset 'imagenet'" --config "$work/odd_net.json" --dataset imagenet --out "$work/bad"
bad "(--json): cannot write" --config "$work/odd_net.json" --json /proc/taxonn/sim.json --out "$work/bad"
bad "--replay" --config "$work/odd_net.json" --replay "$work/odd_net.json" --out "$work/bad"
bad "--pgo builds the network testbench" --config "$work/odd_net.json" --pgo --pe-only --out "$work/bad"
# A kit whose compiler has no profile-guided flags (another compiler's kit).
sed 's/"pgo": {[^}]*}/"pgo": {"generate": [], "use": []}/' "$(dirname "$taxonn")/sim_kit.json" > "$work/kit_nopgo.json"
grep -q '"generate": \[\]' "$work/kit_nopgo.json" || no "the kit edit did not apply"
bad "has no profile-guided build flags" --config "$work/odd_net.json" --pgo --kit "$work/kit_nopgo.json" --out "$work/bad"

[ $fail -eq 0 ] && echo "sim: all checks passed"
exit $fail
