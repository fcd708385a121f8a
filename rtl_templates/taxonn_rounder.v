// taxonn_rounder: the PE's one rounder (CONTRACT 2): rq from 2F to F
// fractional bits with the layer's rounding, and, when the rounding is
// stochastic, the LFSR whose low F bits it adds. The LFSR advances on every
// cycle whose rounding is used (use_i), and only then is the rounding
// evaluated (taxonn_rq's en_i): its outputs are 0 in the other cycles. Both PEs share this block.
// Golden twin: taxonn::Rounder.
`include "taxonn_defs.vh"

module taxonn_rounder #(
  parameter integer      IN_W      = 37,
  parameter integer      F         = 12,
  parameter integer      OUT_W     = 16,
  parameter integer      RND       = `TAXONN_RND_NEAREST,
  parameter integer      LFSR_W    = 16,
  parameter [LFSR_W-1:0] LFSR_POLY = 16'hB400,
  parameter [LFSR_W-1:0] LFSR_SEED = 16'hACE1,
  parameter integer      LFSR_SALT = 0,   // 0: a lone PE; the network's PEs: their own (taxonn_lfsr)
  // Width of rounded_o, the rounded value before the clamp.
  parameter integer      ROUND_W   = IN_W + 1 - F
) (
  input  wire                      clk_i,
  input  wire                      rst_ni,
  input  wire                      use_i,
  input  wire signed [IN_W-1:0]    x_i,
  output wire signed [OUT_W-1:0]   q_o,
  output wire                      sat_o,
  output wire signed [ROUND_W-1:0] rounded_o
);

  wire [F-1:0] rnd;
  taxonn_draw #(
    .LW   (LFSR_W),
    .POLY (LFSR_POLY),
    .SEED (LFSR_SEED),
    .SALT (LFSR_SALT),
    .RND  (RND),
    .RND_W(F)
  ) u_draw (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (use_i),
    .rnd_o (rnd)
  );

  taxonn_rq #(
    .IN_W (IN_W),
    .SHIFT(F),
    .OUT_W(OUT_W),
    .RND  (RND)
  ) u_rq (
    .en_i     (use_i),
    .x_i      (x_i),
    .rnd_i    (rnd),
    .q_o      (q_o),
    .sat_o    (sat_o),
    .rounded_o(rounded_o)
  );

endmodule
