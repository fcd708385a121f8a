#!/usr/bin/env bash
# Bad input to the network testbench (tb_net): a missing dataset folder, a
# truncated sample file, a label out of range, a config the network RTL
# does not cover and a config other than the compiled one each get one line naming the file or field, a non-zero
# exit, and no --json result left behind; so do counts that are not whole numbers, a file that is not a
# reproducer and an unwritable output. The PE testbench (TB_PE_BINARY) gets a missing and a foreign config
# and a bad count: exit 2 and one line, never an abort.
# Usage: net_bad_input.sh TB_NET_BINARY SOURCE_DIR WORK_DIR TB_PE_BINARY TB_SPAD_BINARY
set -uo pipefail
tb=$1 src=$2 work=$3 tb_pe=$4 tb_spad=$5
rm -rf "$work" && mkdir -p "$work"
fail=0 n=0
check() {  # expected-text tb_net-arguments...
  local want=$1; shift
  local out="$work/result_$n.json"
  err=$("$tb" --steps 2 --quiet --json "$out" "$@" 2>&1 >/dev/null); rc=$?
  n=$((n + 1))
  if [ $rc -eq 0 ]; then echo "FAIL $*: exit 0"; fail=1; return; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then echo "FAIL $*: not one line: $err"; fail=1; fi
  if ! grep -qF -- "$want" <<<"$err"; then echo "FAIL $*: '$want' not in: $err"; fail=1; fi
  if [ -e "$out" ]; then echo "FAIL $*: $out was written"; fail=1; fi
}
cfg=$src/configs/mlp_mnist.json
# A small IDX dataset: 4 images of 28x28 and their labels (magic 0x803 / 0x801).
mk() {  # dir n_images n_labels_written label_value truncate_images
  local d=$1; mkdir -p "$d"
  python3 - "$d" "$2" "$3" "$4" "$5" <<'PY'
import struct, sys
d, n, nl, lab, trunc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
img = struct.pack(">IIII", 0x803, n, 28, 28) + bytes(range(256)) * (n * 784 // 256) + bytes(n * 784 % 256)
if trunc: img = img[: len(img) // 2]
lbl = struct.pack(">II", 0x801, nl) + bytes([lab] * nl)
for split in ("train", "t10k"):
    open(f"{d}/{split}-images-idx3-ubyte", "wb").write(img)
    open(f"{d}/{split}-labels-idx1-ubyte", "wb").write(lbl)
PY
}
mk "$work/good" 4 4 3 0
mk "$work/truncated" 4 4 3 1
mk "$work/bad_label" 4 4 12 0
# The good folder trains (so the failures below are the data's, not the setup's).
if ! "$tb" --config "$cfg" --steps 2 --quiet --dataset mnist --data-dir "$work/good" >/dev/null 2>&1; then
  echo "FAIL: the good dataset does not train"; fail=1
fi
check "does not exist" --config "$cfg" --dataset mnist --data-dir "$work/nowhere"
check "train-images-idx3-ubyte" --config "$cfg" --dataset mnist --data-dir "$work/truncated"
check "train-labels-idx1-ubyte: label 12 of item 0 is out of range" --config "$cfg" --dataset mnist --data-dir "$work/bad_label"
# A network that ends in a conv layer has no loss unit in RTL.
python3 - "$src/configs/cnn_small.json" "$work/conv_last.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["layers"] = d["layers"][:4]
json.dump(d, open(sys.argv[2], "w"))
PY
check "layers[3].type: the network RTL's loss unit sits in an fc output layer" --config "$work/conv_last.json" --dataset random
check "runs config 'mlp_mnist', not 'cnn_small'" --config "$src/configs/cnn_small.json" --dataset random
check "cannot open the config file" --config "$work/missing.json"
check "--steps '-1' is not a whole number" --config "$cfg" --dataset random --steps -1
check "--steps 0: give at least one SGD step" --config "$cfg" --dataset random --steps 0
check "--check-every 0: give N >= 1" --config "$cfg" --dataset random --check-every 0
check "--infer-every 0: give N >= 1" --config "$cfg" --dataset random --infer-every 0
check "--seed '12x' is not a whole number" --config "$cfg" --dataset random --seed 12x
check "not a tb_net reproducer" --config "$cfg" --replay "$cfg"
# A reproducer's counts are checked as the command line's: 0 steps checked nothing and passed, infer_every 0 divided by zero.
printf '{"testbench": "tb_net", "seed": 1, "steps": 0, "dataset": "random"}' > "$work/steps0.json"
check "steps0.json: steps 0: give at least one SGD step" --config "$cfg" --replay "$work/steps0.json"
printf '{"testbench": "tb_net", "seed": 1, "steps": 3, "dataset": "random", "infer_every": 0}' > "$work/infer0.json"
check "infer0.json: infer_every 0: give N >= 1" --config "$cfg" --replay "$work/infer0.json"
check "(--json): cannot write" --config "$cfg" --dataset random --json /proc/taxonn/result.json
# The PE testbench: exit 2 and one line (an uncaught error used to abort, exit 134).
pe_check() {  # expected-text tb_pe-arguments...
  local want=$1; shift
  err=$("$tb_pe" --iters 10 "$@" 2>&1 >/dev/null); rc=$?
  n=$((n + 1))
  if [ $rc -ne 2 ]; then echo "FAIL tb_pe $*: exit $rc, want 2"; fail=1; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then echo "FAIL tb_pe $*: not one line: $err"; fail=1; fi
  if ! grep -qF -- "$want" <<<"$err"; then echo "FAIL tb_pe $*: '$want' not in: $err"; fail=1; fi
}
pe_check "cannot open the config file" --config "$work/missing.json"
pe_check "built for config 'mlp_small'" --config "$cfg"
pe_check "--iters '0' is not a whole number >= 1" --config "$src/configs/mlp_small.json" --iters 0
# Memory estimated up front: the reproducer history of 2^64-1 cycles, refused with the number.
pe_check "the reproducer history (8 instances x 24 B a cycle) needs about" --config "$src/configs/mlp_small.json" \
  --iters 18446744073709551615
pe_check "give fewer --iters" --config "$src/configs/mlp_small.json" --iters 100000000000
# Waveforms need a traced model (taxonn sim --trace builds one; tests/trace.sh).
pe_check "built without waveform support" --config "$src/configs/mlp_small.json" --trace "$work/pe.fst"
pe_check "need --trace FILE.fst" --config "$src/configs/mlp_small.json" --trace-start 5
# A primitive testbench: the scratchpad has no reset, so its reproducer history grows with the run.
err=$("$tb_spad" --iters 18446744073709551615 2>&1 >/dev/null); rc=$?
n=$((n + 1))
if [ $rc -ne 2 ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || ! grep -qF "give fewer --iters" <<<"$err"; then
  echo "FAIL tb_spad --iters 2^64-1: exit $rc: $err"; fail=1
fi
echo "net_bad_input: $n bad inputs, $([ $fail -eq 0 ] && echo all rejected cleanly || echo FAILURES)"
exit $fail
