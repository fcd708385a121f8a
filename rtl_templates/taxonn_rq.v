// taxonn_rq: the requantizer rq(x, f_from -> Q(I,F)) (CONTRACT 2): drop SHIFT
// fractional bits by the rounding mode, multiply by 2^POST_SHIFT, saturate.
// Golden twin: taxonn::rq (rounding half: taxonn::rq_round).
`include "taxonn_defs.vh"

module taxonn_rq #(
  parameter integer IN_W       = 37,
  parameter integer SHIFT      = 12,
  parameter integer OUT_W      = 16,
  parameter integer RND        = `TAXONN_RND_NEAREST,
  parameter integer POST_SHIFT = 0,
  // Width of rnd_i: the stochastic rounder adds the low SHIFT random bits.
  parameter integer RND_W      = (SHIFT > 0) ? SHIFT : 1,
  // Width of rounded_o, the rounded value before the post-shift and clamp.
  parameter integer ROUND_W    = IN_W + 1 - SHIFT
) (
  input  wire signed [IN_W-1:0]    x_i,
  input  wire        [RND_W-1:0]   rnd_i,
  output wire signed [OUT_W-1:0]   q_o,
  output wire                      sat_o,
  output wire signed [ROUND_W-1:0] rounded_o
);

  // One extra bit so that x + bias never wraps.
  localparam integer SumW = IN_W + 1;
  localparam integer ResW = ROUND_W + POST_SHIFT;

  wire signed [SumW-1:0] bias;
  generate
    if (SHIFT == 0) begin : gen_exact
      assign bias = {SumW{1'b0}};
    end else if (RND == `TAXONN_RND_NEAREST) begin : gen_nearest
      // + 2^(SHIFT-1): ties go toward +inf.
      assign bias = {{(SumW-1){1'b0}}, 1'b1} << (SHIFT - 1);
    end else if (RND == `TAXONN_RND_STOCHASTIC) begin : gen_stochastic
      assign bias = {{(SumW-SHIFT){1'b0}}, rnd_i[SHIFT-1:0]};
    end else begin : gen_truncate
      assign bias = {SumW{1'b0}};
    end
    if (SHIFT == 0 || RND != `TAXONN_RND_STOCHASTIC) begin : gen_no_random
      wire unused_rnd = ^rnd_i;
    end
  endgenerate

  wire signed [SumW-1:0] sum = {x_i[IN_W-1], x_i} + bias;
  // Taking the top bits of a signed value is the arithmetic shift (floor).
  assign rounded_o = sum[SumW-1:SHIFT];
  generate
    if (SHIFT > 0) begin : gen_dropped
      wire unused_frac = ^sum[SHIFT-1:0];  // the bits that rounding drops
    end
  endgenerate

  wire signed [ResW-1:0] res;
  generate
    if (POST_SHIFT > 0) begin : gen_post_shift
      assign res = {rounded_o, {POST_SHIFT{1'b0}}};
    end else begin : gen_no_post_shift
      assign res = rounded_o;
    end
  endgenerate

  taxonn_sat #(
    .IN_W (ResW),
    .OUT_W(OUT_W)
  ) u_sat (
    .x_i  (res),
    .q_o  (q_o),
    .sat_o(sat_o)
  );

endmodule
