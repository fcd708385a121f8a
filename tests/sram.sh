#!/usr/bin/env bash
# SRAM scratchpads (config "memory": "sram", issue 17; CONTRACT 4 and 5):
# the SRAM variants of mlp_mixed (fc: folding, partial passes, a bias in
# some layers, truncate and nearest), cnn_small (conv, pool, fc, biases,
# folded arrays) and cnn_stoch (stochastic conv and fc) pass `taxonn sim`:
# both PEs of every layer against the golden SRAM twin (taxonn::SpadSram,
# random control words and the SRAM schedules) and the network's training,
# every value and every phase's cycles. A copy of the templates whose SRAM
# wrapper drops a write queued behind a held one must fail; the cycle model
# gives fc layers with a bias one more UPDATE cycle per pass.
# Usage: sram.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
export TAXONN_SIM_CACHE=$work/cache
fail=0
no() { echo "FAIL: $*"; fail=1; }

sram() {  # config -> its SRAM variant, <name>_sram
  python3 - "$src/configs/$1.json" "$work/$1_sram.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["name"] += "_sram"
j["memory"] = "sram"
json.dump(j, open(sys.argv[2], "w"), indent=2)
PY
}

for c in mlp_mixed cnn_small cnn_stoch; do
  sram $c
  if ! "$taxonn" sim --config "$work/${c}_sram.json" --out "$work/$c" --steps 150 --iters 30000 --dataset random \
      --quiet > "$work/$c.txt" 2>&1; then
    tail -5 "$work/$c.txt"; no "${c}_sram does not pass taxonn sim"
  fi
  grep -qE "^  pe +PASS .* 0 mismatches" "$work/$c.txt" || no "${c}_sram: no PE pass line"
  grep -qE "^  network +PASS .*150 steps, 0 mismatches" "$work/$c.txt" || no "${c}_sram: no network pass line"
done

# The cycle model (CONTRACT 4): UPDATE of an fc layer takes T * (2K + 2 +
# 2B) with SRAM, one cycle per pass more than with flip-flops when it has a
# bias (mlp_mixed: fc1, fc3 and fc4); the testbench checked that the RTL
# takes what the model says.
upd=$(python3 - "$work/mlp_mixed/net.json" <<'PY'
import json, math, sys
bias = {"fc1": 1, "fc2": 0, "fc3": 1, "fc4": 1}
out = []
for p in json.load(open(sys.argv[1]))["phases"]:
    if p["phase"] != "update":
        continue
    t = math.ceil(p["neurons"] / p["pes"])
    want = t * (2 * p["inputs"] + 2 + 2 * bias[p["layer"]])
    if p["model"] != want or p["measured"] != want:
        print(f"FAIL {p['layer']}: UPDATE model {p['model']}, measured {p['measured']}, want {want}")
    out.append(f"{p['layer']} {want}")
print(", ".join(out))
PY
) || no "the UPDATE cycles could not be read"
grep -q FAIL <<<"$upd" && no "$upd"

# A broken wrapper must fail: a write queued behind a held one is dropped.
cp -r "$src/rtl_templates" "$work/mutant"
sed -i 's/wire          pend_d   = we_i \& (pend_q | rd_en_i);/wire          pend_d   = we_i \& rd_en_i;/' \
  "$work/mutant/taxonn_spad_sram.v"
cmp -s "$src/rtl_templates/taxonn_spad_sram.v" "$work/mutant/taxonn_spad_sram.v" && no "the mutation did not apply"
if "$taxonn" sim --config "$work/mlp_mixed_sram.json" --out "$work/mutant_run" --templates "$work/mutant" \
    --steps 20 --iters 30000 --dataset random --quiet > "$work/mutant.txt" 2>&1; then
  no "a wrapper that drops queued writes passed"
fi
grep -qE "^  pe +FAIL +first divergence" "$work/mutant.txt" || no "the mutant's failure names no divergence"

[ $fail -eq 0 ] && echo "sram: mlp_mixed, cnn_small, cnn_stoch with SRAM scratchpads bit-exact; UPDATE cycles $upd; a broken wrapper fails"
exit $fail
