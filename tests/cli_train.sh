#!/usr/bin/env bash
# `taxonn train` from the command line: a short run writes its CSV/JSON and
# weights, which load again; bad input (unknown dataset, wrong image size, a
# learning rate that rounds to 0 or is not a positive number, formats that do
# not match the layers, weights files that are missing, damaged, out of the
# layer's range or of another format, unwritable outputs, option values that
# do not parse) is one line, exit 2, and no output files; the same for
# `experiment` (a missing dataset, a malformed spec) and `synth` (outputs,
# the clock period, a sweep to compare with), checked before any long work.
# Usage: cli_train.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
ds=mnist; [ -d "$src/../shared/datasets/mnist" ] || ds=fashion-mnist
cfg=$src/configs/lenet5_mnist.json
fail=0
ok() { "$taxonn" train --config "$cfg" --dataset $ds --train-limit 300 --test-limit 100 --quiet "$@" || { echo "FAIL: train $*"; fail=1; }; }
ok --out "$work/run" --save "$work/w.json"
for f in train.csv train.json curve.csv; do [ -s "$work/run/$f" ] || { echo "FAIL: $f not written"; fail=1; }; done
grep -qE '"format": ?"taxonn-weights-1"' "$work/w.json" || { echo "FAIL: weights file"; fail=1; }
ok --load "$work/w.json" --epochs 1
# A learning-rate schedule: epoch e uses alpha x the e-th step (the last after
# the list); recorded per epoch, and it changes the training.
ok --out "$work/sched" --epochs 3 --alpha-scale 1 0.25
ok --out "$work/nosched" --epochs 3
python3 - "$work/sched/train.json" "$work/nosched/train.json" <<'PY' || fail=1
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
ok = a["alpha_scale"] == [1, 0.25] and [e["alpha_scale"] for e in a["epochs"]] == [1, 0.25, 0.25]
ok = ok and a["epochs"][0]["loss"] == b["epochs"][0]["loss"] and a["epochs"][1]["loss"] != b["epochs"][1]["loss"]
if not ok:
    print("FAIL: --alpha-scale 1 0.25 did not train epoch 1 as before and epochs 2-3 at a quarter of alpha")
sys.exit(0 if ok else 1)
PY
# Augmentation: --shift moves each training image (its own seeded stream: the
# same bits twice, other bits than unmoved, the sample order unchanged);
# recorded in train.json.
ok --out "$work/shift" --save "$work/ws1.json" --shift 2
ok --save "$work/ws2.json" --shift 2
cmp -s "$work/ws1.json" "$work/ws2.json" || { echo "FAIL: two --shift 2 runs with one seed differ"; fail=1; }
cmp -s "$work/ws1.json" "$work/w.json" && { echo "FAIL: --shift 2 trained the same weights as no shift"; fail=1; }
grep -qE '"shift": ?2' "$work/shift/train.json" || { echo "FAIL: train.json does not record --shift 2"; fail=1; }
bad() {  # expected-text, then the arguments
  local want=$1; shift
  err=$("$taxonn" train --quiet "$@" --out "$work/bad" 2>&1 >/dev/null); rc=$?
  if [ $rc -ne 2 ]; then echo "FAIL: exit $rc (not 2): $*: $err"; fail=1; return; fi
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || { echo "FAIL: not one line: $err"; fail=1; }
  grep -qF -- "$want" <<<"$err" || { echo "FAIL: '$want' not in: $err"; fail=1; }
  [ ! -e "$work/bad" ] || { echo "FAIL: output written for: $*"; fail=1; }
  echo "rejected: $err"
}
bad "unknown dataset 'imagenet'" --config "$cfg" --dataset imagenet
bad "input_shape is 3x32x32" --config "$src/configs/lenet5_cifar10.json" --dataset $ds
bad "rounds to 0" --config "$cfg" --dataset $ds --alpha 0.0000001
bad "give one I,F per layer" --config "$cfg" --dataset $ds --formats "2,12 2,12"
bad "(step 2): layer 'conv1''s alpha 0.01 x 0.001 rounds to 0 in Q(2,12)" --config "$cfg" --dataset $ds --alpha-scale 1 0.001
bad "(step 2): layer 'conv1''s alpha 0.01 x 1000 does not fit Q(2,12)" --config "$cfg" --dataset $ds --alpha-scale 1 1000
for a in -1 0 nan; do bad "--alpha-scale $a: every step of the schedule must be a finite number > 0" --config "$cfg" --dataset $ds --alpha-scale 1 $a; done
bad "--shift -1: give a move of 0 (none) or more pixels" --config "$cfg" --dataset $ds --shift -1
bad "--shift 28: moves lenet5_mnist's 28x28 images off themselves; give 0..27 pixels" --config "$cfg" --dataset $ds --shift 28
bad "no such weights file" --config "$cfg" --dataset $ds --load "$work/none.json"
bad "does not exist" --config "$cfg" --dataset mnist --data-dir "$work/nowhere"
for a in -1 0 nan inf; do bad "--alpha $a: the learning rate must be a finite number > 0" --config "$cfg" --dataset $ds --alpha=$a; done
bad "Could not convert: --alpha = 0.01x" --config "$cfg" --dataset $ds --alpha 0.01x
bad "(--save): cannot write in /proc" --config "$cfg" --dataset $ds --save /proc/taxonn/w.json
# Damaged weights files: a raw value past 64 bits' range (it must not wrap), a
# value outside the layer's format, a fraction, another format's tag, a layer
# too many, no layers.
mk() {  # name, then a sed expression applied to the saved weights
  sed -E "$2" "$work/w.json" > "$work/$1.json"
  cmp -s "$work/w.json" "$work/$1.json" && { echo "FAIL: $1: the edit did not apply"; fail=1; }
}
mk big 's/"weights":\[-?[0-9]+/"weights":[9223372036854775908/'
mk range 's/"weights":\[-?[0-9]+/"weights":[40000/'
mk frac 's/"weights":\[-?[0-9]+/"weights":[1.5/'
mk tag 's/"q":"Q\(([0-9]+),/"q":"Q(9,/'
mk nolayers 's/"layers":/"strata":/'
bad "holds raw value 9223372036854775908, outside" --config "$cfg" --dataset $ds --load "$work/big.json"
bad "holds raw value 40000, outside" --config "$cfg" --dataset $ds --load "$work/range.json"
bad "holds 1.5, not a raw integer" --config "$cfg" --dataset $ds --load "$work/frac.json"
bad "was saved in Q(9," --config "$cfg" --dataset $ds --load "$work/tag.json"
bad 'no "layers" array' --config "$cfg" --dataset $ds --load "$work/nolayers.json"

# experiment and synth: refused before any work, nothing written.
other() {  # expected-text, output that must not exist, then the command
  local want=$1 out=$2; shift 2
  err=$("$taxonn" "$@" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] || { echo "FAIL: exit $rc (not 2): $*: $err"; fail=1; return; }
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || { echo "FAIL: not one line: $err"; fail=1; }
  grep -qF -- "$want" <<<"$err" || { echo "FAIL: '$want' not in: $err"; fail=1; }
  [ ! -e "$out" ] || { echo "FAIL: $out written for: $*"; fail=1; }
  echo "rejected: $err"
}
printf '{"name": "t", "studies": [{"name": "s", "dataset": "mnist", "data_dir": "%s", "config": "%s", "runs": [{"label": "a"}]}]}\n' \
  "$work/nowhere" "$cfg" > "$work/spec.json"
other "study 's': dataset 'mnist'" "$work/exp" experiment --spec "$work/spec.json" --out "$work/exp"
other "no study has its data" "$work/exp" experiment --spec "$work/spec.json" --out "$work/exp" --skip-missing
echo '{"name": "t"}' > "$work/spec_bad.json"
other "spec_bad.json: studies: missing" "$work/exp" experiment --spec "$work/spec_bad.json" --out "$work/exp"
# A misspelt field at any level: refused, not trained with the default.
sed 's/"runs": \[{"label": "a"}\]/"runs": [{"label": "a", "formts": "2,8"}]/' "$work/spec.json" > "$work/spec_typo_run.json"
other "studies[0].runs[0].formts: unknown field" "$work/exp" experiment --spec "$work/spec_typo_run.json" --out "$work/exp"
sed 's/"dataset": "mnist"/"datset": "mnist", "dataset": "mnist"/' "$work/spec.json" > "$work/spec_typo_study.json"
other "studies[0].datset: unknown field" "$work/exp" experiment --spec "$work/spec_typo_study.json" --out "$work/exp"
sed 's/"name": "t"/"name": "t", "epoch": 3/' "$work/spec.json" > "$work/spec_typo_top.json"
other "epoch: unknown field" "$work/exp" experiment --spec "$work/spec_typo_top.json" --out "$work/exp"
echo '{"name": "t", "studies": {}}' > "$work/spec_studies.json"
other "studies: must be a list" "$work/exp" experiment --spec "$work/spec_studies.json" --out "$work/exp"
# A run's bad options and repeated seeds fail the experiment before any training.
printf '{"name": "t", "alpha_scale": [1, 0.0001], "studies": [{"name": "s", "dataset": "%s", "config": "%s", "runs": [{"label": "a"}]}]}\n' \
  "$ds" "$cfg" > "$work/spec_sched.json"
other "study 's', run 'a': --alpha-scale 0.0001 (step 2)" "$work/exp" experiment --spec "$work/spec_sched.json" --out "$work/exp"
printf '{"name": "t", "shift": 30, "studies": [{"name": "s", "dataset": "%s", "config": "%s", "runs": [{"label": "a"}]}]}\n' \
  "$ds" "$cfg" > "$work/spec_shift.json"
other "study 's', run 'a': --shift 30: moves lenet5_mnist's 28x28 images off themselves" "$work/exp" experiment --spec "$work/spec_shift.json" --out "$work/exp"
sed 's/"shift": 30/"shift": 1.5/' "$work/spec_shift.json" > "$work/spec_shift_frac.json"
other "\"shift\": 1.5 is not a whole number of pixels" "$work/exp" experiment --spec "$work/spec_shift_frac.json" --out "$work/exp"
# A config its study's dataset does not fit (16 inputs against 28x28 images): refused at planning.
printf '{"name": "t", "studies": [{"name": "s", "dataset": "%s", "config": "%s", "runs": [{"label": "a"}]}]}\n' \
  "$ds" "$src/configs/mlp_small.json" > "$work/spec_fit.json"
other "study 's', run 'a': " "$work/exp" experiment --spec "$work/spec_fit.json" --out "$work/exp"
other "seed 2 is given twice" "$work/exp" experiment --spec "$src/configs/experiments/table1.json" --out "$work/exp" --seeds 1 2 2
other "(--out): cannot write in /proc" /proc/taxonn experiment --spec "$src/configs/experiments/table1.json" --out /proc/taxonn
other "(--json): cannot write in /proc" "$work/synth" synth --config "$src/configs/pe_w16.json" --work "$work/synth" --json /proc/taxonn/s.json
other "--clock-ns -1: the clock period must be" "$work/synth" synth --config "$src/configs/pe_w16.json" --work "$work/synth" --clock-ns -1
# memory: sram: synthesis (the accelerator, the PE table, the sweep) needs the macros and a liberty,
# and --sram needs a config (or --memory) with SRAM scratchpads.
python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); j["memory"] = "sram"; json.dump(j, open(sys.argv[2], "w"))' \
  "$src/configs/mlp_small.json" "$work/small_sram.json"
other "memory: sram needs SRAM macros to map the scratchpads to; give --sram DIR" "$work/synsr" synth --network --config "$work/small_sram.json" --work "$work/synsr"
other "memory: sram needs --liberty" "$work/synsr" synth --network --config "$work/small_sram.json" --work "$work/synsr" --sram "$work/nowhere"
other "$work/nowhere: no such liberty file or folder" "$work/synsr" synth --network --config "$work/small_sram.json" --work "$work/synsr" --sram "$work/nowhere" --liberty "$work/nowhere.lib"
other "memory: sram needs SRAM macros to map the scratchpads to; give --sram DIR" "$work/synsr" synth --config "$work/small_sram.json" --work "$work/synsr"
other "memory: sram needs --liberty" "$work/synsr" synth --config "$work/small_sram.json" --work "$work/synsr" --sram "$work"
other "memory: sram needs SRAM macros to map the scratchpads to" "$work/synsw/sweep.json" synth --config "$src/configs/pe_w16.json" --memory sram --sweep 13:14 --liberty "$work/nowhere.lib" --work "$work/synsw" --out "$work/synsw"
other "has flip-flop scratchpads; set \"memory\": \"sram\"" "$work/synsr" synth --config "$src/configs/mlp_small.json" --work "$work/synsr" --sram "$work"
other "has flip-flop scratchpads; set \"memory\": \"sram\"" "$work/synsr" synth --network --config "$src/configs/mlp_small.json" --work "$work/synsr" --sram "$work"
# Ctrl-C during training: exit 130, the results so far written and marked as
# cut short (train.json "completed": false and why), no weights file.
"$taxonn" train --config "$cfg" --dataset $ds --epochs 2 --quiet --out "$work/int" --save "$work/int_w.json" &
pid=$!
sleep 3; kill -INT $pid; rc=0; wait $pid || rc=$?  # mid epoch 1 (an epoch takes about 25 s)
[ $rc -eq 130 ] || { echo "FAIL: interrupted train exited $rc, not 130"; fail=1; }
grep -q '"completed": false' "$work/int/train.json" 2>/dev/null && grep -q '"stopped": "signal 2' "$work/int/train.json" ||
  { echo "FAIL: an interrupted train's train.json is not marked as cut short"; fail=1; }
[ ! -e "$work/int_w.json" ] || { echo "FAIL: an interrupted train saved weights"; fail=1; }
grep -q '"completed": true' "$work/run/train.json" || { echo "FAIL: a finished train's train.json is not marked completed"; fail=1; }
# Seeds: each run once per seed; the table row is the mean +- std over the
# seeds, the gap the paired (same seed) fixed - float differences.
printf '{"name": "t", "seeds": [7], "bias": true, "studies": [{"name": "s", "dataset": "%s", "config": "%s", "runs": [{"label": "f", "arith": "float"}, {"label": "x", "arith": "fixed"}]}]}\n' \
  "$ds" "$cfg" > "$work/spec_seeds.json"
"$taxonn" experiment --spec "$work/spec_seeds.json" --out "$work/exp_seeds" --seeds 1 2 3 --epochs 2 --train-limit 300 \
  --test-limit 200 --jobs 2 > /dev/null 2> "$work/exp_seeds.err" || { echo "FAIL: seeded experiment: $(tail -2 "$work/exp_seeds.err")"; fail=1; }
python3 - "$work/exp_seeds" <<'PY' || fail=1
import json, statistics, sys
d = sys.argv[1]
r = json.load(open(d + "/results.json"))
runs = {(x["label"], x["seed"]): x["test_acc"] for x in r["runs"]}
ok = sorted(runs) == [(l, s) for l in ("f", "x") for s in (1, 2, 3)] and r["seeds"] == [1, 2, 3] and r["bias"] is True
rows = {x["label"]: x for x in r["rows"]}
for l in ("f", "x"):
    v = [runs[(l, s)] for s in (1, 2, 3)]
    ok = ok and rows[l]["seeds"] == 3 and abs(rows[l]["test_acc_mean"] - statistics.mean(v)) < 1e-9
    ok = ok and abs(rows[l]["test_acc_std"] - statistics.stdev(v)) < 1e-9
diff = [runs[("x", s)] - runs[("f", s)] for s in (1, 2, 3)]
ok = ok and abs(rows["x"]["gap_to_float_mean"] - statistics.mean(diff)) < 1e-9
ok = ok and abs(rows["x"]["gap_to_float_std"] - statistics.stdev(diff)) < 1e-9 and "gap_to_float_mean" not in rows["f"]
ok = ok and len(set(runs[("f", s)] for s in (1, 2, 3))) > 1  # the seed changes the run
md = open(d + "/table.md").read()
ok = ok and "+- " in md
# The per-epoch table: a row per label, the mean over seeds after each epoch.
acc = {(x["label"], x["seed"]): [e["test_acc"] for e in x["epochs"]] for x in r["runs"]}
for l in ("f", "x"):
    cells = [f"{statistics.mean(acc[(l, s)][e] for s in (1, 2, 3)):.2f}%" for e in (0, 1)]
    line = next((t for t in md.splitlines() if t.startswith(f"| {l} |") and "%" in t and "+-" not in t), "")
    ok = ok and all(c in line for c in cells) and (("(" in line) == (l == "x"))
    if not all(c in line for c in cells):
        print(f"FAIL: per-epoch row of {l} is '{line}', expected the means {cells}")
if not ok:
    print("FAIL: seeded experiment rows are not the mean/std over seeds and the paired gap:", r.get("rows"))
sys.exit(0 if ok else 1)
PY
# Two runs that train the same thing (labels aside) are one job: trained once, both tabulated.
printf '{"name": "t", "studies": [{"name": "s", "dataset": "%s", "config": "%s", "runs": [{"label": "a", "arith": "float"}, {"label": "b", "arith": "float"}]}]}\n' \
  "$ds" "$cfg" > "$work/spec_same.json"
"$taxonn" experiment --spec "$work/spec_same.json" --out "$work/exp_same" --train-limit 300 --test-limit 100 > /dev/null \
  2> "$work/exp_same.err" || { echo "FAIL: experiment with two equal runs: $(tail -2 "$work/exp_same.err")"; fail=1; }
[ "$(wc -l < "$work/exp_same/.batch/starts.log")" -eq 1 ] || { echo "FAIL: two equal runs were trained twice"; fail=1; }
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['runs']; sys.exit(0 if [x['label'] for x in r]==['a','b'] and r[0]['test_acc']==r[1]['test_acc'] else 1)" \
  "$work/exp_same/results.json" || { echo "FAIL: two equal runs are not both tabulated with the one result"; fail=1; }
# Ctrl-C during an experiment, once its first run has finished: exit 130, the
# finished runs tabulated and marked as cut short, the others listed as not run.
printf '{"name": "t", "studies": [{"name": "s", "dataset": "%s", "config": "%s", "runs": [{"label": "a", "arith": "float"}, {"label": "b", "arith": "fixed"}, {"label": "c", "arith": "fixed"}]}]}\n' \
  "$ds" "$cfg" > "$work/spec_int.json"
"$taxonn" experiment --spec "$work/spec_int.json" --out "$work/exp_int" --jobs 1 --epochs 1 --train-limit 3000 \
  --test-limit 200 > /dev/null 2> "$work/exp_int.err" &
pid=$!
# (b and c train the same thing: one job, so the batch has two.)
for _ in $(seq 600); do grep -q '^\[1/[0-9]* done' "$work/exp_int.err" && break; sleep 0.2; done
kill -INT $pid; rc=0; wait $pid || rc=$?
[ $rc -eq 130 ] || { echo "FAIL: interrupted experiment exited $rc, not 130: $(tail -2 "$work/exp_int.err")"; fail=1; }
python3 - "$work/exp_int" <<'PY' || fail=1
import json, sys
d = sys.argv[1]
r = json.load(open(d + "/results.json"))
ok = r["completed"] is False and r["stopped"].startswith("signal 2: ") and len(r["runs"]) >= 1 and r["runs"][0]["label"] == "a"
ok = ok and len(r["runs"]) + len(r["not_run"]) == 3 and all(x["error"] == "" for x in r["runs"])
ok = ok and "Cut short" in open(d + "/table.md").read()
if not ok:
    print("FAIL: an interrupted experiment's results are not the finished runs marked as cut short:", r.get("stopped"), r.get("not_run"))
sys.exit(0 if ok else 1)
PY
# macros: a missing liberty folder, a folder without macros, a malformed size, nothing to cover.
other "no such liberty file or folder" "$work/m.json" macros --sram "$work/nowhere" --memory 64x8 --json "$work/m.json"
mkdir -p "$work/nomacros" && printf 'library(g) { cell(INV) { area : 1; } }\n' > "$work/nomacros/g.lib"
other "no SRAM macro" "$work/m.json" macros --sram "$work/nomacros" --memory 64x8 --json "$work/m.json"
other "--memory '64y8': expected WORDSxBITS" "$work/m.json" macros --sram "$work/nomacros" --memory 64y8 --json "$work/m.json"
other "give --memory WORDSxBITS or --config FILE" "$work/m.json" macros --sram "$work/nomacros" --json "$work/m.json"
mkdir -p "$work/macros" && printf 'library(m) { cell(m64x8) { area : 30; memory() { address_width : 6; word_width : 8; } } }\n' > "$work/macros/m.lib"
other "not a memory this tool covers" "$work/m.json" macros --sram "$work/macros" --memory 2147483647x8 --json "$work/m.json"
# A sweep width whose format is impossible is the user's input: refused before any job.
other "at W = 33: layers[0].format.frac_bits" "$work/swbad" synth --config "$src/configs/pe_w16.json" --sweep 30:34 --int-bits 4 --work "$work/swbadw" --out "$work/swbad"
# Batch options on a command that runs no batch are refused, not ignored.
# --compare: the other sweep is read and checked before any synthesis.
echo '[{"width": 13, "baseline": {"area": 1}}]' > "$work/sweep_bad.json"
echo '[]' > "$work/sweep_empty.json"
lib=$src/../shared/pdk/nangate45_typ.lib.gz
other "--compare: the comparison is of power too; give --liberty" "$work/swcmp" synth --config "$src/configs/pe_w16.json" --sweep 13:14 --compare "$work/sweep_bad.json" --work "$work/swcmpw" --out "$work/swcmp"
other "--compare $work/none.json: cannot be read" "$work/swcmp" synth --config "$src/configs/pe_w16.json" --sweep 13:14 --liberty "$lib" --compare "$work/none.json" --work "$work/swcmpw" --out "$work/swcmp"
other "not a sweep.json with power" "$work/swcmp" synth --config "$src/configs/pe_w16.json" --sweep 13:14 --liberty "$lib" --compare "$work/sweep_bad.json" --work "$work/swcmpw" --out "$work/swcmp"
other "--compare $work/sweep_empty.json: no W = 13" "$work/swcmp" synth --config "$src/configs/pe_w16.json" --sweep 13:14 --liberty "$lib" --compare "$work/sweep_empty.json" --work "$work/swcmpw" --out "$work/swcmp"
other "--backend is for a batch: give --sweep FROM:TO or --network" "$work/synth1" synth --config "$src/configs/pe_w16.json" --work "$work/synth1" --backend slurm
other "--retries is for a batch: give --seeds" "$work/sim1" sim --config "$src/configs/mlp_small.json" --out "$work/sim1" --retries 2
other "--seed and --seeds: give one of them" "$work/sim2" sim --config "$src/configs/mlp_small.json" --out "$work/sim2" --seed 3 --seeds 1 2
other "no such file" "$work/sum.md" accel-table --json "$work/none.json" --out "$work/sum.md"
other "not a \`taxonn synth --network\` report" "$work/sum.md" accel-table --json "$work/spec_bad.json" --out "$work/sum.md"
# The table names each report's memories and how its PEs were priced: a
# report of before the memory field, SRAM, gated with OpenSTA's PEs (an upper
# bound), gated and ungated with gate-level PEs.
python3 - "$work" <<'PY'
import json, os, sys
runs = {"old": {}, "sram": {"memory": "sram"}, "gated_sta": {"clock_gating": True, "pe_power": "opensta"},
        "gated_gate": {"clock_gating": True, "pe_power": "gate-level simulation"},
        "ungated_gate": {"clock_gating": False, "pe_power": "gate-level simulation"}}
for name, extra in runs.items():
    r = {"config": name, "area": 1e6, "units": [], "generic_cells": False, "fmax_mhz": 300, "power_mw": 100,
         "cycles_per_step": 10, "energy_per_step_nj": 5}
    r.update(extra)
    json.dump(r, open(os.path.join(sys.argv[1], f"acc_{name}.json"), "w"))
PY
"$taxonn" accel-table $(for n in old sram gated_sta gated_gate ungated_gate; do echo --json "$work/acc_$n.json"; done) \
  --out "$work/sum.md" > /dev/null || { echo "FAIL: accel-table"; fail=1; }
for row in "old | flip-flops |" "sram | SRAM macros |" "gated_sta | flip-flops, gated clocks (power: an upper bound) |" \
    "gated_gate | flip-flops, gated clocks; PE power gate-level |" "ungated_gate | flip-flops; PE power gate-level |"; do
  grep -qF "| $row" "$work/sum.md" || { echo "FAIL: accel-table has no row '| $row'"; fail=1; }
done
"$taxonn" --version | grep -qE '^taxonn [0-9]+\.[0-9]+\.[0-9]+' || { echo "FAIL: taxonn --version"; fail=1; }
exit $fail
