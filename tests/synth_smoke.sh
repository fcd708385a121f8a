#!/usr/bin/env bash
# A small synthesis: the W = 16 PE pair with Yosys's generic cells (ctest
# synth_smoke) or, given LIBERTY, with that real library (ctest
# synth_liberty, registered when a liberty is known at configure time:
# ../shared/pdk's Nangate45 or -DTAXONN_TEST_LIBERTY=FILE). Checks the
# report's structure and that the TaxoNN PE is larger than the baseline;
# with the liberty also clock gating (a CLKGATE_X1 per scratchpad word), and
# a network's gated and ungated PEs priced by gate-level simulation.
# Usage: synth_smoke.sh TAXONN_BINARY SOURCE_DIR WORK_DIR [LIBERTY]
set -euo pipefail
taxonn=$1 src=$2 work=$3 lib=${4:-}
rm -rf "$work" && mkdir -p "$work"
check() {  # json
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("config", "layer", "format", "scratchpad_depth", "liberty", "unit", "baseline", "taxonn", "overhead_percent"):
    assert k in r, f"missing {k}"
for pe in ("baseline", "taxonn"):
    assert r[pe]["area"] > 0 and r[pe]["cells"] > 0, pe
assert r["taxonn"]["area"] > r["baseline"]["area"], "TaxoNN PE is not larger than the baseline"
assert abs(r["overhead_percent"] - 100 * (r["taxonn"]["area"] / r["baseline"]["area"] - 1)) < 1e-6
for pe in ("baseline", "taxonn"):
    b = r[pe]["breakdown"]
    assert b["multiplier"] > 0 and b["scratchpad"] > 0, f"{pe} breakdown: {b}"
assert r["taxonn"]["breakdown"]["derivative unit"] > 0 and "derivative unit" not in r["baseline"]["breakdown"]
if not r["generic_cells"]:
    for pe in ("baseline", "taxonn"):
        assert 10 < r[pe]["fmax_mhz"] < 5000, f"{pe} Fmax {r[pe]['fmax_mhz']}"
        p = r[pe]["power_mw"]
        assert p["total"] > 0 and abs(p["total"] - p["internal"] - p["switching"] - p["leakage"]) < 0.01 * p["total"], p
        # Gate-level power: the simulated netlist matched its golden twin on
        # every output of every cycle (else synth fails), and the figure's parts.
        assert r[pe]["power_source"] == "gate-level simulation" and r[pe]["gate_level_values_checked"] > 1000, r[pe]
        assert 0 < p["clock_pins"] < p["flip_flops"] < p["total"], p
        assert 0 < r[pe]["toggle_rate"] < 1 and r[pe]["opensta_power_mw"] > 0
        # By block (the same hierarchical netlist): the parts add up to the whole.
        pb = r[pe]["power_breakdown_mw"]
        assert pb["scratchpad"] > 0 and pb["multiplier"] > 0 and abs(sum(pb.values()) / p["total"] - 1) < 1e-6, (pb, p)
    assert r["baseline"]["workload"] == "inference" and r["taxonn"]["workload"] == "training"
    # The TaxoNN PE costs more on the same work than the baseline, and more
    # again when it trains.
    base, infer, train = r["baseline"]["power_mw"]["total"], r["taxonn"]["inference_power_mw"], r["taxonn"]["power_mw"]["total"]
    assert base < infer < train, (base, infer, train)
    assert abs(r["power_overhead_same_work_percent"] - 100 * (infer / base - 1)) < 1e-6
    assert abs(r["power_overhead_percent"] - 100 * (train / base - 1)) < 1e-6
    assert r["taxonn"]["power_breakdown_mw"]["derivative unit"] > 0 and "derivative unit" not in r["baseline"]["power_breakdown_mw"]
    # Glitch-aware: the timed simulation settles where zero delay does (else
    # synth fails), sees every zero-delay transition and the multiplier's
    # glitches besides, and its blocks add up to its total too.
    for pe in ("baseline", "taxonn"):
        t, z = r[pe]["power_mw"]["timed_total"], r[pe]["power_mw"]["total"]
        assert r[pe]["timed_transitions_per_zero_delay_transition"] > 1.2 and z < t < 4 * z, (pe, t, z)
        tb = r[pe]["power_timed_breakdown_mw"]
        assert abs(sum(tb.values()) / t - 1) < 1e-6 and tb["multiplier"] > r[pe]["power_breakdown_mw"]["multiplier"], (tb, t)
    assert r["taxonn"]["inference_power_timed_mw"] > 0
    assert abs(r["power_overhead_same_work_timed_percent"]
               - 100 * (r["taxonn"]["inference_power_timed_mw"] / r["baseline"]["power_mw"]["timed_total"] - 1)) < 1e-6
    print(f"synth_smoke: Fmax {r['baseline']['fmax_mhz']:.0f} / {r['taxonn']['fmax_mhz']:.0f} MHz, power {r['baseline']['power_mw']['total']:.3f} / {r['taxonn']['power_mw']['total']:.3f} mW")
print(f"synth_smoke: {r['format']} {r['unit']}: baseline {r['baseline']['area']:.1f}, taxonn {r['taxonn']['area']:.1f}, overhead {r['overhead_percent']:+.1f}%")
PY
}
liberty_part() {
  [ -f "$lib" ] || { echo "synth_liberty: $lib is not a file: give -DTAXONN_TEST_LIBERTY=FILE a liberty"; exit 1; }
  "$taxonn" synth --config "$src/configs/pe_w16.json" --liberty "$lib" --work "$work/nangate" --json "$work/nangate.json"
  check "$work/nangate.json"
  # Another library of the same file name expands to the same path, so the
  # scripts are unchanged: its content must still invalidate the reuse.
  # (DFF_X1, the scratchpad's flop, made twice as large.)
  mkdir -p "$work/otherlib"
  python3 - "$lib" "$work/otherlib/nangate45_typ.lib.gz" <<'PY'
import gzip, re, sys
t = gzip.open(sys.argv[1], "rt").read()
i = t.index("cell (DFF_X1)")
m = re.compile(r"area\s*:\s*([0-9.]+)").search(t, i)
t = t[:m.start(1)] + f"{2 * float(m.group(1)):.6f}" + t[m.end(1):]
gzip.open(sys.argv[2], "wt").write(t)
PY
  "$taxonn" synth --config "$src/configs/pe_w16.json" --liberty "$work/otherlib/nangate45_typ.lib.gz" --no-breakdown \
    --work "$work/nangate" --json "$work/otherlib.json" >/dev/null
  python3 - "$work/nangate.json" "$work/otherlib.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for pe in ("baseline", "taxonn"):
    # (dfflibmap may then pick DFF_X2: the area moves, by how much is the mapper's.)
    assert abs(b[pe]["area"] - a[pe]["area"]) > 1.0, f"{pe}: a changed liberty reused the old netlist ({a[pe]['area']} -> {b[pe]['area']})"
print("synth_smoke: a changed liberty of the same name remapped both PEs")
PY
  # Clock gating: mlp_small's fc1 PEs (16 words) with every word and PE
  # register on a clock gate: a CLKGATE_X1 each (the liberty's smallest), the words
  # without their hold multiplexers, less power, outputs still checked; a
  # liberty without a clock-gating cell is refused before any work.
  "$taxonn" synth --config "$src/configs/mlp_small.json" --liberty "$lib" --work "$work/ungated" \
    --json "$work/ungated.json" > /dev/null
  "$taxonn" synth --config "$src/configs/mlp_small.json" --liberty "$lib" --clock-gating on --work "$work/gated" \
    --json "$work/gated.json" > "$work/gated.txt"
  grep -q "on gated clocks (CLKGATE_X1 per word)" "$work/gated.txt" || { echo "the gated report does not say so"; exit 1; }
  python3 - "$work/ungated.json" "$work/gated.json" "$work/gated" <<'PY'
import glob, json, os, sys
u, g = (json.load(open(f)) for f in sys.argv[1:3])
assert not u["clock_gating"] and g["clock_gating"] and g["clock_gate_cell"] == "CLKGATE_X1", g.get("clock_gate_cell")
for pe in ("baseline", "taxonn"):
    gb, ub = dict(g[pe]["breakdown"]), dict(u[pe]["breakdown"])
    # One gate per word, and one per PE register left after synthesis
    # (forwarding, sum, G: at most 3).
    n = round(gb["clock gates"] / 3.458)
    assert abs(gb["clock gates"] - n * 3.458) < 0.01 and 16 <= n <= 19, f"{pe}: clock gates {gb['clock gates']} um^2, want 16..19 x 3.458"
    assert "clock gates" not in ub, ub
    assert gb["scratchpad"] < 0.85 * ub["scratchpad"], f"{pe}: scratchpad {gb['scratchpad']} gated, {ub['scratchpad']} not"
    gp, up = g[pe]["power_mw"]["total"], u[pe]["power_mw"]["total"]
    assert gp < 0.9 * up, f"{pe}: {gp} mW gated, {up} not"
    assert g[pe]["gate_level_values_checked"] > 100, g[pe]
    net = json.load(open(os.path.join(sys.argv[3], f"taxonn_fc1_{'pe_base' if pe == 'baseline' else 'pe'}.netlist.json")))
    n = sum(1 for m in net["modules"].values() for c in m.get("cells", {}).values() if c["type"] == "CLKGATE_X1")
    assert n >= 1, f"{pe}: no CLKGATE_X1 in the netlist"
print(f"synth_smoke: gated fc1 PEs: power {u['taxonn']['power_mw']['total']:.3f} -> {g['taxonn']['power_mw']['total']:.3f} mW (training), "
      f"area {u['taxonn']['area']:.0f} -> {g['taxonn']['area']:.0f} um^2")
PY
  zcat -f "$lib" | grep -v "clock_gating_integrated_cell" > "$work/no_icg.lib"
  rc=0
  err=$("$taxonn" synth --config "$src/configs/mlp_small.json" --liberty "$work/no_icg.lib" --clock-gating on \
    --work "$work/no_icg" --json "$work/no_icg.json" 2>&1 >/dev/null) || rc=$?
  [ $rc -eq 2 ] && grep -q "no integrated clock-gating cell" <<<"$err" && [ ! -e "$work/no_icg.json" ] ||
    { echo "a liberty without a clock gate: exit $rc: $err"; exit 1; }
  echo "synth_smoke: a liberty without a clock-gating cell refused: $err"
  # The whole accelerator of the default config with Nangate45: black-box
  # units through OpenSTA (its reader takes no concatenated connections).
  "$taxonn" synth --network --config "$src/configs/mlp_small.json" --liberty "$lib" --work "$work/net_ng" \
    --json "$work/net_ng.json" --jobs 2 >"$work/net_ng.txt"
  python3 - "$work/net_ng.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert 10 < r["fmax_mhz"] < 5000 and r["power_mw"] > 0 and r["energy_per_step_nj"] > 0, r
for u in r["units"]:
    assert u["power_mw"]["total"] > 0 and u["fmax_mhz"] > 0, u
print(f"synth_smoke: network mlp_small with Nangate45: {r['area']:.0f} um^2, {r['fmax_mhz']:.0f} MHz, {r['power_mw']:.1f} mW")
PY
  # Gated against ungated, the PEs priced alike: a gated network's PE units
  # by default, an ungated one's with --pe-power gate, from the gate-level
  # simulation of each PE's training workload (outputs checked against the
  # golden twin); the other units and --pe-power opensta by OpenSTA.
  "$taxonn" synth --network --config "$src/configs/mlp_small.json" --liberty "$lib" --clock-gating on \
    --work "$work/net_gated" --json "$work/net_gated.json" --jobs 2 >"$work/net_gated.txt"
  "$taxonn" synth --network --config "$src/configs/mlp_small.json" --liberty "$lib" --pe-power gate \
    --work "$work/net_ng" --json "$work/net_gp.json" --jobs 2 >"$work/net_gp.txt"
  grep -q "power of the PEs: gate-level simulation" "$work/net_gated.txt" || { echo "the gated network report does not name its PE power"; exit 1; }
  python3 - "$work/net_gated.json" "$work/net_gp.json" "$work/net_ng.json" <<'PY'
import json, sys
g, u, o = (json.load(open(f)) for f in sys.argv[1:])
assert g["pe_power"] == u["pe_power"] == "gate-level simulation" and o["pe_power"] == "opensta", (g["pe_power"], u["pe_power"], o["pe_power"])
for r in (g, u):
    for x in r["units"]:
        pe = x["unit"].endswith("_pe")
        assert (x["power_source"] == "gate-level simulation") == pe, (x["unit"], x["power_source"])
        if pe:
            assert x["gate_level_values_checked"] > 100 and x["workload"] == "training", x
assert all(x["power_source"].startswith("OpenSTA") for x in o["units"])
# Same netlists, other PE power: the areas match, the powers differ.
assert abs(u["area"] - o["area"]) < 1e-6 and u["power_mw"] != o["power_mw"], (u["area"], o["area"])
assert g["power_mw"] < 0.95 * u["power_mw"], f"gated {g['power_mw']} mW against ungated {u['power_mw']}"
print(f"synth_smoke: network mlp_small, PEs at gate level: {u['power_mw']:.1f} mW ungated, {g['power_mw']:.1f} gated "
      f"(OpenSTA's vectorless PEs: {o['power_mw']:.1f} ungated)")
PY
  for args in "--network --pe-power glitchy" "--pe-power gate"; do
    rc=0
    err=$("$taxonn" synth $args --config "$src/configs/mlp_small.json" --liberty "$lib" --work "$work/pp_bad" \
      --json "$work/pp_bad.json" 2>&1 >/dev/null) || rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -q -- "--pe-power" <<<"$err" && [ ! -e "$work/pp_bad.json" ] ||
      { echo "synth $args: exit $rc: $err"; exit 1; }
  done
  # Gate-level PE power without a liberty (no cells to price) is refused,
  # not a report without the power it asked for.
  rc=0
  err=$("$taxonn" synth --network --pe-power gate --config "$src/configs/mlp_small.json" --work "$work/pp_bad" \
    --json "$work/pp_bad.json" 2>&1 >/dev/null) || rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -q -- "give --liberty" <<<"$err" && [ ! -e "$work/pp_bad.json" ] ||
    { echo "synth --network --pe-power gate without a liberty: exit $rc: $err"; exit 1; }
  # A damaged liberty (cut in the middle of a cell): an error that names
  # the tool and the step, no report left behind.
  python3 - "$lib" "$work/cut.lib" <<'PY'
import gzip, sys
t = gzip.open(sys.argv[1], "rt").read()
open(sys.argv[2], "w").write(t[: t.index("cell (DFF_X1)") + 200])
PY
  if "$taxonn" synth --config "$src/configs/pe_w16.json" --liberty "$work/cut.lib" --no-breakdown --work "$work/cut" \
      --json "$work/cut.json" 2>"$work/cut.err"; then
    echo "a damaged liberty was accepted"; exit 1
  fi
  grep -q "failed at step\|gate-level power of" "$work/cut.err" && [ ! -e "$work/cut.json" ]
  echo "synth_smoke: a damaged liberty rejected: $(head -n 1 "$work/cut.err")"
}
if [ -n "$lib" ]; then
  liberty_part
  exit 0
fi
"$taxonn" synth --config "$src/configs/pe_w16.json" --work "$work/generic" --json "$work/generic.json" | tee "$work/generic.txt"
grep -q "no liberty given" "$work/generic.txt"
check "$work/generic.json"
area() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["baseline"]["area"], r["taxonn"]["area"])' "$1"; }
# A rerun with the same script and RTL reuses each Yosys run (its log is not
# rewritten) and reports the same areas.
stamp_logs() { stat -c '%n %Y.%y' "$1"/*.ys.log; }
stamp_logs "$work/generic" >"$work/logs.before"
sleep 1
"$taxonn" synth --config "$src/configs/pe_w16.json" --work "$work/generic" --json "$work/generic2.json" >/dev/null
stamp_logs "$work/generic" | diff "$work/logs.before" - || { echo "synth_smoke: an unchanged Yosys run was not reused"; exit 1; }
[ "$(area "$work/generic.json")" = "$(area "$work/generic2.json")" ]
echo "synth_smoke: rerun reused every unchanged Yosys run"
# A missing liberty is a clear error with no report left behind.
if "$taxonn" synth --config "$src/configs/pe_w16.json" --liberty "$work/none.lib" --work "$work/bad" --json "$work/bad.json" 2>"$work/bad.err"; then
  echo "missing liberty accepted"; exit 1
fi
grep -q "no such file" "$work/bad.err" && [ ! -e "$work/bad.json" ]
echo "synth_smoke: missing liberty rejected: $(cat "$work/bad.err")"
# A text that is not a liberty: refused as bad input (exit 2) before Yosys runs.
echo "hello, not a liberty" > "$work/text.lib"
rc=0
"$taxonn" synth --config "$src/configs/pe_w16.json" --liberty "$work/text.lib" --work "$work/text" --json "$work/text.json" \
  2>"$work/text.err" || rc=$?
[ $rc -eq 2 ] && grep -q "not a liberty file" "$work/text.err" && [ ! -e "$work/text.json" ] && [ ! -e "$work/text" ] ||
  { echo "a text that is not a liberty: exit $rc, $(cat "$work/text.err")"; exit 1; }
echo "synth_smoke: a non-liberty text rejected: $(cat "$work/text.err")"
# The whole accelerator of the default config, unit by unit (generic cells:
# the structure; with Nangate45 `make accel` writes docs/accel/).
"$taxonn" synth --network --config "$src/configs/mlp_small.json" --work "$work/net" --json "$work/net.json" >"$work/net.txt"
python3 - "$work/net.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
units = {u["unit"]: u for u in r["units"]}
for l, p in (("fc1", 8), ("fc2", 6), ("fc3", 4), ("fc4", 4)):
    assert units[f"{l}_pe"]["instances"] == p and units[f"{l}_pe"]["area"] > 0, units[f"{l}_pe"]
    assert units[f"{l}_layer"]["instances"] == 1 and units[f"{l}_layer"]["area"] > 0
assert units["net_top"]["area"] > 0
total = sum(u["area"] * u["instances"] for u in r["units"])
assert abs(total - r["area"]) < 1e-6 * total, (total, r["area"])
assert r["cycles_per_step"] == 127, r["cycles_per_step"]  # CONTRACT 4: the phases sum to 166, UPDATEs overlap
print(f"synth_smoke: network mlp_small: {len(units)} units, {r['area']:.0f} {r['unit']}")
PY
# A small CNN (conv arrays, both poolings, fc): every unit maps, conv PEs
# count rows x columns, pooling layers have no PEs.
"$taxonn" synth --network --config "$src/configs/cnn_small.json" --work "$work/cnn" --json "$work/cnn.json" --jobs 2 \
  >"$work/cnn.txt"
python3 - "$work/cnn.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
units = {u["unit"]: u for u in r["units"]}
for l, pes in (("conv1", 3 * 2), ("conv2", 2 * 3), ("conv3", 2 * 3), ("fc1", 3), ("fc2", 3)):
    assert units[f"{l}_pe"]["instances"] == pes, (l, units[f"{l}_pe"])
    assert units[f"{l}_layer"]["area"] > 0
for l in ("pool1", "pool2"):
    assert f"{l}_pe" not in units and units[f"{l}_layer"]["instances"] == 1 and units[f"{l}_layer"]["area"] > 0
# CONTRACT 4's step (tb_net measures the same): the drains beside the conv
# MACs, the pools beside the drains, the UPDATEs in the background
assert r["cycles_per_step"] == 1451, r["cycles_per_step"]
print(f"synth_smoke: network cnn_small: {len(units)} units, {r['area']:.0f} {r['unit']}")
PY
# A network that ends in a conv layer has no network RTL (no loss unit):
# refused before any tool runs, with the field named and no report left.
python3 - "$src/configs/cnn_small.json" "$work/conv_last.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["layers"] = d["layers"][:4]
json.dump(d, open(sys.argv[2], "w"))
PY
if "$taxonn" synth --network --config "$work/conv_last.json" --work "$work/net_bad" --json "$work/net_bad.json" 2>"$work/net_bad.err"; then
  echo "network synthesis of a config without network RTL accepted"; exit 1
fi
grep -q "layers\[3\].type" "$work/net_bad.err" && [ ! -e "$work/net_bad.json" ]
echo "synth_smoke: a config without network RTL rejected: $(cat "$work/net_bad.err")"
