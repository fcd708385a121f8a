#!/usr/bin/env bash
# SRAM scratchpads (config "memory": "sram", issue 17; CONTRACT 4 and 5):
# with `taxonn sim --memory sram`, the SRAM variants of mlp_mixed (fc: folding, partial passes, a bias in
# some layers, truncate and nearest), cnn_small (conv, pool, fc, biases,
# folded arrays) and cnn_stoch (stochastic conv and fc) pass `taxonn sim`:
# both PEs of every layer against the golden SRAM twin (taxonn::SpadSram,
# random control words and the SRAM schedules) and the network's training,
# every value and every phase's cycles. A copy of the templates whose SRAM
# wrapper drops a write queued behind a held one must fail; the cycle model
# gives fc layers with a bias one more UPDATE cycle per pass; the macro maps
# synthesis builds memories from simulate like the behavioural model.
# Usage: sram.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
export TAXONN_SIM_CACHE=$work/cache
fail=0
no() { echo "FAIL: $*"; fail=1; }

# --memory sram: the shipped configs with SRAM scratchpads (the testbenches
# read the overridden config the run writes).
for c in mlp_mixed cnn_small cnn_stoch; do
  if ! "$taxonn" sim --config "$src/configs/$c.json" --memory sram --out "$work/$c" --steps 150 --iters 30000 \
      --dataset random --quiet > "$work/$c.txt" 2>&1; then
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
if "$taxonn" sim --config "$src/configs/mlp_mixed.json" --memory sram --out "$work/mutant_run" --templates "$work/mutant" \
    --steps 20 --iters 30000 --dataset random --quiet > "$work/mutant.txt" 2>&1; then
  no "a wrapper that drops queued writes passed"
fi
grep -qE "^  pe +FAIL +first divergence" "$work/mutant.txt" || no "the mutant's failure names no divergence"
err=$("$taxonn" sim --config "$src/configs/mlp_mixed.json" --memory dram --out "$work/bad" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && grep -q "unknown memory 'dram'" <<<"$err" && [ ! -e "$work/bad" ] ||
  no "sim --memory dram: exit $rc: $err"

# For synthesis each memory is built from macros (taxonn macros --verilog,
# the file synth --network maps): with two made-up macros (liberty files
# written here) the covers of a few memories take banks and slices; each
# simulates (Icarus, random reads and writes under random masks) like the
# behavioural model, read for read.
mkdir -p "$work/lib"
lib() {  # name, address bits, word bits, area
  cat > "$work/lib/$1.lib" <<LIB
library($1) {
  cell($1) {
    area : $4;
    memory() { type : ram; address_width : $2; word_width : $3; }
  }
}
LIB
  cat > "$work/lib/$1.v" <<V
module $1 (input clk, input ce_in, input we_in, input [$(($2 - 1)):0] addr_in, input [$(($3 - 1)):0] wd_in,
           input [$(($3 - 1)):0] w_mask_in, output reg [$(($3 - 1)):0] rd_out);
  reg [$(($3 - 1)):0] mem [0:$(((1 << $2) - 1))];
  always @(posedge clk) if (ce_in) begin
    if (we_in) mem[addr_in] <= (wd_in & w_mask_in) | (mem[addr_in] & ~w_mask_in);
    else rd_out <= mem[addr_in];
  end
endmodule
V
}
lib tm_8x4 3 4 30
lib tm_4x6 2 6 20
mems=(20x9 8x4 5x6 3x10 32x5)
"$taxonn" macros --sram "$work/lib" $(printf -- '--memory %s ' "${mems[@]}") --verilog "$work/maps" > "$work/maps.md" 2>&1 ||
  { cat "$work/maps.md"; no "taxonn macros --verilog"; }
sed 's/module taxonn_sram_model/module ref_sram_model/' "$src/rtl_templates/taxonn_sram_model.v" > "$work/ref.v"
"$taxonn" generate --config "$src/configs/mlp_small.json" --out "$work/gen" > /dev/null || no "generate (taxonn_defs.vh)"
for m in "${mems[@]}"; do
  d=${m%x*} w=${m#*x} aw=1
  while [ $((1 << aw)) -lt "$d" ]; do aw=$((aw + 1)); done
  cat > "$work/tb_$m.v" <<V
module tb;
  reg clk = 0, ce, we; reg [$((aw - 1)):0] addr; reg [$((w - 1)):0] wd, mask;
  wire [$((w - 1)):0] got, want;
  taxonn_sram_model #(.BITS($w), .WORDS($d), .AW($aw)) u_map (.clk(clk), .ce_in(ce), .we_in(we), .addr_in(addr),
    .wd_in(wd), .w_mask_in(mask), .rd_out(got));
  ref_sram_model #(.BITS($w), .WORDS($d), .AW($aw)) u_ref (.clk(clk), .ce_in(ce), .we_in(we), .addr_in(addr),
    .wd_in(wd), .w_mask_in(mask), .rd_out(want));
  integer i, reads = 0, bad = 0;
  initial begin
    for (i = 0; i < $d; i = i + 1) begin  // every word written once, whole
      ce = 1; we = 1; addr = i; wd = \$random; mask = {$w{1'b1}}; #1 clk = 1; #1 clk = 0;
    end
    for (i = 0; i < 4000; i = i + 1) begin
      ce = (\$random & 3) != 0; we = \$random; addr = {\$random} % $d; wd = \$random; mask = \$random;
      #1 clk = 1; #1 clk = 0;
      if (ce && !we) reads = reads + 1;
      if (reads > 0 && got !== want) begin
        if (bad < 3) \$display("MISMATCH $m cycle %0d: addr %0d got %h want %h", i, addr, got, want);
        bad = bad + 1;
      end
    end
    \$display("$m: %0d reads, %0d mismatches", reads, bad);
    \$finish;
  end
endmodule
V
  if ! iverilog -g2005 -I "$work/gen/rtl" -o "$work/tb_$m" "$work/tb_$m.v" "$work/ref.v" \
      "$work/maps/$m/taxonn_sram_model.v" "$src/rtl_templates/taxonn_sram_bank_q.v" "$work"/lib/tm_*.v \
      > "$work/iv_$m.txt" 2>&1; then
    cat "$work/iv_$m.txt"; no "the macro map of $m does not compile"; continue
  fi
  out=$(vvp -n "$work/tb_$m" 2>&1)
  grep -qE "^$m: [0-9]+ reads, 0 mismatches" <<<"$out" || { echo "$out" | head -5; no "the macro map of $m reads differently"; }
done
grep -q "tm_8x4" "$work/maps.md" && grep -q "tm_4x6" "$work/maps.md" || no "the covers do not use both macros"

[ $fail -eq 0 ] && echo "sram: mlp_mixed, cnn_small, cnn_stoch with SRAM scratchpads bit-exact; UPDATE cycles $upd; a broken wrapper fails; macro maps of ${mems[*]} read like the model"
exit $fail
