// taxonn_draw: the draws of one stochastic rounder (CONTRACT 3, rule 8): its
// own LFSR (taxonn_lfsr, started at SEED salted with SALT), advancing on
// en_i (once per value the rounder rounds), and the low RND_W bits of its
// state, zero-extended when RND_W > LW (rounding.hpp: the draw has LW bits).
// A rounder that is not stochastic gets zeros and no LFSR.
// Golden twin: taxonn::Lfsr, taxonn::lfsr_salted_seed.
`include "taxonn_defs.vh"

module taxonn_draw #(
  parameter integer  LW    = 16,
  parameter [LW-1:0] POLY  = 16'hB400,
  parameter [LW-1:0] SEED  = 16'hACE1,
  parameter integer  SALT  = 0,
  parameter integer  RND   = `TAXONN_RND_STOCHASTIC,
  parameter integer  RND_W = 12
) (
  input  wire             clk_i,
  input  wire             rst_ni,
  input  wire             en_i,
  output wire [RND_W-1:0] rnd_o
);

  generate
    if (RND == `TAXONN_RND_STOCHASTIC) begin : gen_lfsr
      wire [LW-1:0] state;
      taxonn_lfsr #(
        .LW  (LW),
        .POLY(POLY),
        .SEED(SEED),
        .SALT(SALT)
      ) u_lfsr (
        .clk_i  (clk_i),
        .rst_ni (rst_ni),
        .en_i   (en_i),
        .state_o(state)
      );
      if (RND_W < LW) begin : gen_low
        assign rnd_o = state[RND_W-1:0];
        wire unused_state = ^state[LW-1:RND_W];
      end else if (RND_W == LW) begin : gen_all
        assign rnd_o = state;
      end else begin : gen_wide
        assign rnd_o = {{(RND_W-LW){1'b0}}, state};
      end
    end else begin : gen_none
      assign rnd_o = {RND_W{1'b0}};
      wire unused_in = clk_i ^ rst_ni ^ en_i;
    end
  endgenerate

endmodule
