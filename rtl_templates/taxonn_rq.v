// taxonn_rq: the requantizer rq(x, f_from -> Q(I,F)) (CONTRACT 2): drop SHIFT
// fractional bits by the rounding mode, multiply by 2^POST_SHIFT, saturate.
// Its outputs are 0 while en_i is low (operand isolation): a PE uses its
// rounder in a few cycles of each phase, and the rounding and the clamp
// are computed in procedural blocks under en_i, so that a simulator
// evaluates them only in those cycles (Verilator evaluates every continuous assignment every cycle: the
// PEs' rounders were a fifth of LeNet-5's simulation, docs/sim.md).
// Golden twin: taxonn::rq (rounding half: taxonn::rq_round); 0 when disabled.
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
  input  wire                      en_i,
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

  // One block per case below, every statement inside the enable: Verilator
  // keeps such a block as a branch, where it turns a lone guarded assignment
  // into a select that computes both sides.
  reg signed [SumW-1:0] sum;
  reg        [ResW:0]   resx;  // the post-shifted value over [ResW:1] (a spare zero at [0])
  generate
    if (ResW > OUT_W) begin : gen_clip
      localparam [OUT_W-1:0] MaxVal = {1'b0, {(OUT_W-1){1'b1}}};
      localparam [OUT_W-1:0] MinVal = {1'b1, {(OUT_W-1){1'b0}}};
      reg signed [OUT_W-1:0] q;
      reg                    sat;
      reg [ResW-OUT_W:0]     top_bits;
      always @(*) begin
        sum      = {SumW{1'b0}};
        resx     = {(ResW+1){1'b0}};
        top_bits = {(ResW-OUT_W+1){1'b0}};
        q        = {OUT_W{1'b0}};
        sat      = 1'b0;
        if (en_i) begin
          sum  = {x_i[IN_W-1], x_i} + bias;
          // Taking the top bits of a signed value is the arithmetic shift (floor).
          resx = {sum[SumW-1:SHIFT], {(POST_SHIFT+1){1'b0}}};
          // The clamp of taxonn_sat: it fits when every bit above the
          // output's sign bit equals it.
          top_bits = resx[ResW:OUT_W];
          if ((&top_bits) | ~(|top_bits)) begin
            q = resx[OUT_W:1];
          end else begin
            q   = resx[ResW] ? MinVal : MaxVal;
            sat = 1'b1;
          end
        end
      end
      assign q_o   = q;
      assign sat_o = sat;
    end else begin : gen_fits
      always @(*) begin
        sum  = {SumW{1'b0}};
        resx = {(ResW+1){1'b0}};
        if (en_i) begin
          sum  = {x_i[IN_W-1], x_i} + bias;
          resx = {sum[SumW-1:SHIFT], {(POST_SHIFT+1){1'b0}}};
        end
      end
      if (ResW == OUT_W) begin : gen_same
        assign q_o = resx[ResW:1];
      end else begin : gen_extend
        assign q_o = $signed({resx[ResW:1], {(OUT_W-ResW){1'b0}}}) >>> (OUT_W - ResW);
      end
      assign sat_o = 1'b0;
    end
  endgenerate
  assign rounded_o = sum[SumW-1:SHIFT];
  wire unused_resx = resx[0];
  generate
    if (SHIFT > 0) begin : gen_dropped
      wire unused_frac = ^sum[SHIFT-1:0];  // the bits that rounding drops
    end
  endgenerate

endmodule
