// taxonn_bank: a flip-flop register file of a conv layer (CONTRACT 5, the
// conv layer's banks): DEPTH words of W bits, one write port and NRD combinational
// read ports (packed, port r at bits r*AW / r*W). A word is written at the
// clock edge after we_i; a read shows the word at its address now. No reset:
// every word a layer reads was written first, in the same run or the last.
// Addresses are the layer's own (always < DEPTH): no range check.
// Why a module of its own: synthesis maps each distinct bank once and counts
// its instances, instead of mapping the layer's thousands of words as one
// flat netlist (over an hour of ABC for LeNet-5's conv1); and a bank is the
// unit an SRAM macro would replace.
// Golden twin: taxonn::Bank (golden_model/pe.hpp); tb_bank checks it on
// its own (seeded random writes and reads, a sweep of shapes), and every conv
// co-simulation checks what the banks hold through the layer.
`include "taxonn_defs.vh"

// keep_hierarchy: Yosys's `synth -flatten` leaves each bank a module of its
// own, mapped once per shape however many a layer has (simulators ignore it).
(* keep_hierarchy *)
module taxonn_bank #(
  parameter integer W     = 16,
  parameter integer DEPTH = 16,
  parameter integer AW    = 4,
  parameter integer NRD   = 1
) (
  input  wire              clk_i,
  input  wire              we_i,
  input  wire [AW-1:0]     wr_addr_i,
  input  wire [W-1:0]      wr_data_i,
  input  wire [NRD*AW-1:0] rd_addr_i,
  output wire [NRD*W-1:0]  rd_data_o
);

  reg [W-1:0] mem_q [0:DEPTH-1];
  always @(posedge clk_i) begin
    if (we_i) begin
      mem_q[wr_addr_i] <= wr_data_i;
    end
  end

  genvar r;
  generate
    for (r = 0; r < NRD; r = r + 1) begin : gen_rd
      assign rd_data_o[r*W +: W] = mem_q[rd_addr_i[r*AW +: AW]];
    end
  endgenerate

endmodule
