#!/usr/bin/env bash
# `synth --network` with SRAM scratchpads (memory: sram, issue 17 item 3):
# mlp_small's SRAM variant maps every PE's scratchpad to its cheapest cover
# by the given macros (black boxes to Yosys, their liberty area in the
# area), OpenSTA times paths out of the macros (clk -> rd_out) and prices
# their power; the flip-flop variant of the same config is synthesized
# beside it: each PE unit with SRAM is larger by at most its macros' area
# (the flip-flop words are gone, the macros come in), and has macros. The
# PE table (both PEs of one layer) with SRAM, its power gate-level.
# A tiny conv/pool network with SRAM: the conv layer unit maps its Y buffer
# to macros, the max-pool unit its Y, R and argmax (one taxonn_sram_model
# with a cover per shape), each unit's netlist instantiates them and its
# area holds them.
# Usage: synth_sram.sh TAXONN_BINARY SOURCE_DIR WORK_DIR LIBERTY SRAM_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3 lib=$4 sram=$5
rm -rf "$work" && mkdir -p "$work"
fail=0
no() { echo "FAIL: $*"; fail=1; }
python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); j["name"] += "_sram"; j["memory"] = "sram"; json.dump(j, open(sys.argv[2], "w"))' \
  "$src/configs/mlp_small.json" "$work/mlp_small_sram.json"
"$taxonn" synth --network --config "$work/mlp_small_sram.json" --liberty "$lib" --sram "$sram" --work "$work/sram" \
  --json "$work/sram.json" > "$work/sram.txt" 2>&1 || { tail -5 "$work/sram.txt"; no "synth --network with SRAM"; }
"$taxonn" synth --network --config "$src/configs/mlp_small.json" --liberty "$lib" --work "$work/flops" \
  --json "$work/flops.json" > "$work/flops.txt" 2>&1 || { tail -5 "$work/flops.txt"; no "synth --network with flip-flops"; }
"$taxonn" macros --sram "$sram" --config "$work/mlp_small_sram.json" --json "$work/covers.json" > /dev/null ||
  no "taxonn macros --config"
# The PE table (synth without --network) with SRAM: both PEs of fc1 on the
# macros, their gate-level power simulated with the macro model (every
# output checked against the golden twin) and the macros' energy in the
# scratchpad's row; fc1's flip-flop PEs beside them.
"$taxonn" synth --config "$work/mlp_small_sram.json" --liberty "$lib" --sram "$sram" --work "$work/pe_sram"   --json "$work/pe_sram.json" > "$work/pe_sram.txt" 2>&1 || { tail -5 "$work/pe_sram.txt"; no "synth (PE table) with SRAM"; }
"$taxonn" synth --config "$src/configs/mlp_small.json" --liberty "$lib" --work "$work/pe_flops"   --json "$work/pe_flops.json" > "$work/pe_flops.txt" 2>&1 || { tail -5 "$work/pe_flops.txt"; no "synth (PE table) with flip-flops"; }
# The conv network: 1x6x6, conv 3x3 to 2x4x4, max pool to 2x2x2, fc 2.
cat > "$work/cnn.json" <<'JSON'
{"name": "cnn_tiny_sram", "memory": "sram", "input_shape": {"channels": 1, "height": 6, "width": 6},
 "rounding": "nearest", "scratchpad_depth": 16, "alpha": 0.25,
 "layers": [{"name": "conv1", "type": "conv", "out_channels": 2, "kernel": 3, "format": {"int_bits": 2, "frac_bits": 8}, "activation": "relu"},
            {"name": "pool1", "type": "pool", "kind": "max"},
            {"name": "fc1", "type": "fc", "neurons": 2, "format": {"int_bits": 2, "frac_bits": 8}, "activation": "identity"}]}
JSON
"$taxonn" synth --network --config "$work/cnn.json" --liberty "$lib" --sram "$sram" --work "$work/cnn" \
  --json "$work/cnn_report.json" > "$work/cnn.txt" 2>&1 || { tail -5 "$work/cnn.txt"; no "synth --network of a conv network with SRAM"; }
"$taxonn" macros --sram "$sram" --config "$work/cnn.json" --json "$work/cnn_covers.json" > /dev/null ||
  no "taxonn macros --config (conv network)"
python3 - "$work" <<'PY' || fail=1
import glob, json, re, sys
w = sys.argv[1]
sram, flops = json.load(open(f"{w}/sram.json")), json.load(open(f"{w}/flops.json"))
covers = {c["name"]: c for c in json.load(open(f"{w}/covers.json"))["memories"]}
cnn_covers = {c["name"]: c for c in json.load(open(f"{w}/cnn_covers.json"))["memories"]}
ok = True
def no(msg):
    global ok
    print("FAIL:", msg)
    ok = False
fl = {u["unit"]: u for u in flops["units"]}
pes = 0
for u in sram["units"]:
    if not u["unit"].endswith("_pe"):
        continue
    pes += 1
    layer = u["unit"][:-3]
    cover = covers.get(f"{layer} PE scratchpad")
    if cover is None:
        no(f"no cover for {layer}")
        continue
    if "SRAM" not in u["what"]:
        no(f"{u['unit']} names no macros: {u['what']}")
    if not u["area"] > cover["area"]:
        no(f"{u['unit']}: area {u['area']} does not hold its macros' {cover['area']}")
    if not u["area"] <= fl[u["unit"]]["area"] + cover["area"]:
        no(f"{u['unit']}: SRAM {u['area']} > flops {fl[u['unit']]['area']} + macros {cover['area']}")
    if not u["fmax_mhz"] > 0 or not u["power_mw"]["total"] > 0:
        no(f"{u['unit']}: not timed")
    net = glob.glob(f"{w}/sram/units/{u['unit']}-*/{u['unit']}.netlist.v")
    macros = {sl["macro"] for sl in cover["slices"]}
    if not net or not all(re.search(rf"^\s*{m} ", open(net[0]).read(), re.M) for m in macros):
        no(f"{u['unit']}: no macro instance in its netlist")
    sta = glob.glob(f"{w}/sram/units/{u['unit']}-*/{u['unit']}.sta.tcl")
    if not sta or "read_liberty" not in open(sta[0]).read().split("read_verilog")[0].split("\n", 2)[2]:
        no(f"{u['unit']}: OpenSTA does not read the macros' liberty")
if pes != 4:
    no(f"{pes} PE units, want 4")
pe_s, pe_f = json.load(open(f"{w}/pe_sram.json")), json.load(open(f"{w}/pe_flops.json"))
cover = covers["fc1 PE scratchpad"]
if pe_s.get("memory") != "sram" or not all(sl["macro"] in pe_s.get("sram", "") for sl in cover["slices"]):
    no(f"PE table: memory {pe_s.get('memory')}, macros '{pe_s.get('sram')}', want {cover['slices']}")
for k in ("baseline", "taxonn"):
    s, f = pe_s[k], pe_f[k]
    if s["power_source"] != "gate-level simulation" or not s["gate_level_values_checked"] > 0:
        no(f"PE table {k}: power from {s['power_source']}, {s.get('gate_level_values_checked')} values checked")
    spad = dict(s["breakdown"]).get("scratchpad", 0)
    if not spad >= cover["area"]:
        no(f"PE table {k}: scratchpad row {spad} um^2 does not hold the macros' {cover['area']}")
    if not s["power_breakdown_mw"].get("scratchpad", 0) > 0:
        no(f"PE table {k}: no scratchpad power")
    if not (abs(s["area"] - f["area"]) < 1e-6 + max(spad, dict(f["breakdown"]).get("scratchpad", 0))):
        no(f"PE table {k}: SRAM {s['area']} and flip-flop {f['area']} differ by more than a scratchpad")
cnn = json.load(open(f"{w}/cnn_report.json"))
want = {"conv1_layer": ["Y"], "pool1_layer": ["Y", "R", "argmax"]}
for u in cnn["units"]:
    if u["unit"] not in want:
        continue
    mems = want.pop(u["unit"])
    names = [f"{u['unit'][:-6]} {'Y buffer' if m == 'Y' else 'R buffer' if m == 'R' else m}" for m in mems]
    need = sum(cnn_covers[n]["area"] for n in names)
    # one memory: "SRAM <macros>"; several: "SRAM Y <macros>; R <macros>; ..."
    named = "SRAM" in u["what"] and (len(mems) == 1 or all(f"{m} " in u["what"] for m in mems))
    if not named:
        no(f"{u['unit']} names no macros for {mems}: {u['what']}")
    if not u["area"] > need:
        no(f"{u['unit']}: area {u['area']} does not hold its macros' {need}")
    net = glob.glob(f"{w}/cnn/units/{u['unit']}-*/{u['unit']}.netlist.v")
    macros = {sl["macro"] for n in names for sl in cnn_covers[n]["slices"]}
    if not net or not all(re.search(rf"^\s*{m} ", open(net[0]).read(), re.M) for m in macros):
        no(f"{u['unit']}: not every macro of {sorted(macros)} is instantiated in its netlist")
if want:
    no(f"no units {sorted(want)} in the conv network's report")
if ok:
    print(f"synth_sram: PE table at fc1: TaxoNN {pe_s['taxonn']['area']:.0f} um^2, {pe_s['taxonn']['power_mw']['total']:.3f} mW "
          f"with SRAM; {pe_f['taxonn']['area']:.0f} um^2, {pe_f['taxonn']['power_mw']['total']:.3f} mW with flip-flops")
if ok:
    print(f"synth_sram: {pes} PE units on macros; accelerator {sram['area']:.0f} um^2 with SRAM, {flops['area']:.0f} with flip-flops")
PY
exit $fail
