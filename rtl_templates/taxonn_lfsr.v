// taxonn_lfsr: the Galois LFSR of stochastic rounding (CONTRACT 2), one per
// rounder. Shifts right; when the bit shifted out is 1 the state is XORed
// with POLY. SALT = 0 starts at SEED; the network's rounders each have their
// own SALT and start at a seed mixed from SEED and SALT (CONTRACT 3, rule 8),
// so that no two of them draw the same sequence in step.
// Golden twin: taxonn::Lfsr, taxonn::lfsr_salted_seed.
`include "taxonn_defs.vh"

module taxonn_lfsr #(
  parameter integer    LW   = 16,
  parameter [LW-1:0]   POLY = 16'hB400,
  parameter [LW-1:0]   SEED = 16'hACE1,
  parameter integer    SALT = 0
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire          en_i,
  output wire [LW-1:0] state_o
);

  // The mix, in 32-bit arithmetic (products wrap): h = SEED ^ SALT * 9E3779B1,
  // h = (h ^ h >> 16) * 85EBCA6B, h ^= h >> 13; its low LW bits, or SEED if 0.
  localparam [LW+31:0] SeedW = {32'd0, SEED};  // zero-extended, whatever LW (2..32)
  localparam [31:0]   Seed32 = SeedW[31:0];
  localparam [31:0]   Salt32 = SALT;
  localparam [31:0]   H0     = Seed32 ^ (Salt32 * 32'h9E3779B1);
  localparam [31:0]   H1     = (H0 ^ (H0 >> 16)) * 32'h85EBCA6B;
  localparam [31:0]   H2     = H1 ^ (H1 >> 13);
  localparam [LW-1:0] Mixed  = H2[LW-1:0];
  localparam [LW-1:0] Start  = ((SALT == 0) || (Mixed == {LW{1'b0}})) ? SEED : Mixed;

  reg  [LW-1:0] state_q;
  wire [LW-1:0] shifted = {1'b0, state_q[LW-1:1]};
  wire [LW-1:0] state_d = state_q[0] ? (shifted ^ POLY) : shifted;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Start;
    end else if (en_i) begin
      state_q <= state_d;
    end
  end

  assign state_o = state_q;

endmodule
