#!/usr/bin/env bash
# Clock gating (config "clock_gating": true, issue 17 item 4; CONTRACT 5
# "Clock gating"): every flip-flop scratchpad word on a gated clock of its
# own (taxonn_clock_gate). With `taxonn sim --clock-gating on`, mlp_mixed (fc:
# folding, partial passes, biases) and cnn_small (conv, pool, fc) pass both
# PEs of every layer and the network's training bit for bit, every value and
# every phase's cycles (the gating changes no value and no cycle). A copy of
# the templates whose gate ignores its enable (every word written every
# cycle) must fail, and one whose words all take the first bank's held
# write bus (CONTRACT 5: a bus per bank of 32 words). (A latch transparent in the wrong phase is not caught by
# a cycle simulation of this design: it writes a word half a cycle early
# with the data of its own write, and no word is read in the cycle before it
# is written; the latch's phase is the liberty cell's.) Refused with
# one line: --clock-gating maybe, clock gating with memory: sram.
# Usage: clock_gating.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
export TAXONN_SIM_CACHE=$work/cache
fail=0
no() { echo "FAIL: $*"; fail=1; }

for c in mlp_mixed cnn_small; do
  if ! "$taxonn" sim --config "$src/configs/$c.json" --clock-gating on --out "$work/$c" --steps 150 --iters 30000 \
      --dataset random --quiet > "$work/$c.txt" 2>&1; then
    tail -5 "$work/$c.txt"; no "$c gated does not pass taxonn sim"
  fi
  grep -q '"clock_gating": true' "$work/$c/config.resolved.json" || no "$c: the testbenches did not read a gated config"
  grep -qE "^  pe +PASS .* 0 mismatches" "$work/$c.txt" || no "$c gated: no PE pass line"
  grep -qE "^  network +PASS .*150 steps, 0 mismatches" "$work/$c.txt" || no "$c gated: no network pass line"
done

# A broken gate must fail: one that ignores its enable.
cp -r "$src/rtl_templates" "$work/mutant"
sed -i 's/      en_q = en_i;/      en_q = 1'"'"'b1;/' "$work/mutant/taxonn_clock_gate.v"
cmp -s "$src/rtl_templates/taxonn_clock_gate.v" "$work/mutant/taxonn_clock_gate.v" && no "the mutation did not apply"
if "$taxonn" sim --config "$src/configs/mlp_mixed.json" --clock-gating on --out "$work/mutant_run" \
    --templates "$work/mutant" --steps 20 --iters 30000 --dataset random --quiet > "$work/mutant.txt" 2>&1; then
  no "a gate that ignores its enable passed"
fi
grep -qE "^  pe +FAIL +first divergence" "$work/mutant.txt" || no "the mutant's failure names no divergence"

# A broken bank bus must fail too: every word fed from the first bank's bus.
# mlp_mixed's fc1 PEs hold 3 passes x 20 inputs = 60 words, two banks of
# taxonn_spad's 32, so its network co-simulation reaches the second bank.
cp -r "$src/rtl_templates" "$work/mutant_bank"
sed -i 's/word_q <= bank_bus\[k \/ BankWords\];/word_q <= bank_bus[0];/' "$work/mutant_bank/taxonn_spad.v"
cmp -s "$src/rtl_templates/taxonn_spad.v" "$work/mutant_bank/taxonn_spad.v" && no "the bank mutation did not apply"
if "$taxonn" sim --config "$src/configs/mlp_mixed.json" --clock-gating on --out "$work/mutant_bank_run" \
    --templates "$work/mutant_bank" --steps 20 --iters 3000 --dataset random --quiet > "$work/mutant_bank.txt" 2>&1; then
  no "a scratchpad whose words all take the first bank's bus passed"
fi
grep -qE "^  network +FAIL" "$work/mutant_bank.txt" || no "the bank mutant's failure is not the network's"

# Bad input: one line, exit 2, nothing written.
check_refused() {  # what, expected text, command...
  local what=$1 want=$2; shift 2
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && grep -q "$want" <<<"$err" ||
    no "$what: exit $rc: $err"
}
check_refused "sim --clock-gating maybe" "clock gating 'maybe': use on or off" \
  "$taxonn" sim --config "$src/configs/mlp_mixed.json" --clock-gating maybe --out "$work/bad1"
check_refused "gating an SRAM scratchpad" "memory: sram has none" \
  "$taxonn" sim --config "$src/configs/mlp_mixed.json" --clock-gating on --memory sram --out "$work/bad2"
check_refused "synth with generic cells" "clock_gating needs --liberty" \
  "$taxonn" synth --config "$src/configs/mlp_small.json" --clock-gating on --work "$work/bad3"
for d in bad1 bad2 bad3; do [ ! -e "$work/$d" ] || no "$d: a refused run left $work/$d"; done

[ $fail -eq 0 ] && echo "clock_gating: mlp_mixed and cnn_small gated bit-exact, the mutant gate and bank bus caught, bad input refused"
exit $fail
