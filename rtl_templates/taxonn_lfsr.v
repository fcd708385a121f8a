// taxonn_lfsr: the per-PE Galois LFSR of stochastic rounding (CONTRACT 2).
// Shifts right; when the bit shifted out is 1 the state is XORed with POLY.
// Golden twin: taxonn::Lfsr.
`include "taxonn_defs.vh"

module taxonn_lfsr #(
  parameter integer    LW   = 16,
  parameter [LW-1:0]   POLY = 16'hB400,
  parameter [LW-1:0]   SEED = 16'hACE1
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire          en_i,
  output wire [LW-1:0] state_o
);

  reg  [LW-1:0] state_q;
  wire [LW-1:0] shifted = {1'b0, state_q[LW-1:1]};
  wire [LW-1:0] state_d = state_q[0] ? (shifted ^ POLY) : shifted;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SEED;
    end else if (en_i) begin
      state_q <= state_d;
    end
  end

  assign state_o = state_q;

endmodule
