// taxonn_pool: the 2x2 pooling unit (CONTRACT 3, issue 6), one window per
// cycle, forward and backward. Pooling has no format of its own: it works in
// the format of the layer below. Inputs in scan order: a top-left, b
// top-right, c bottom-left, d bottom-right.
//   max  forward: the first maximum in scan order, and which one (arg_o);
//        backward: the whole gradient to that input, 0 to the others.
//   avg  forward: rq(a + b + c + d, shift 2); backward: rq(g, shift 2) to each.
// Golden twin: taxonn::pool.
`include "taxonn_defs.vh"

module taxonn_pool #(
  parameter integer W    = 16,
  parameter integer KIND = `TAXONN_POOL_MAX,
  parameter integer RND  = `TAXONN_RND_NEAREST
) (
  // forward
  input  wire signed [W-1:0] a_i,
  input  wire signed [W-1:0] b_i,
  input  wire signed [W-1:0] c_i,
  input  wire signed [W-1:0] d_i,
  output wire signed [W-1:0] y_o,
  output wire        [1:0]   arg_o,
  // backward
  input  wire signed [W-1:0] g_i,
  input  wire        [1:0]   arg_i,
  output wire signed [W-1:0] ga_o,
  output wire signed [W-1:0] gb_o,
  output wire signed [W-1:0] gc_o,
  output wire signed [W-1:0] gd_o
);

  generate
    if (KIND == `TAXONN_POOL_MAX) begin : gen_max
      // Strictly greater replaces: ties keep the earlier input.
      wire               ab     = b_i > a_i;
      wire signed [W-1:0] m_ab  = ab ? b_i : a_i;
      wire               abc    = c_i > m_ab;
      wire signed [W-1:0] m_abc = abc ? c_i : m_ab;
      wire               abcd   = d_i > m_abc;
      assign y_o   = abcd ? d_i : m_abc;
      assign arg_o = abcd ? 2'd3 : (abc ? 2'd2 : (ab ? 2'd1 : 2'd0));
      assign ga_o  = (arg_i == 2'd0) ? g_i : {W{1'b0}};
      assign gb_o  = (arg_i == 2'd1) ? g_i : {W{1'b0}};
      assign gc_o  = (arg_i == 2'd2) ? g_i : {W{1'b0}};
      assign gd_o  = (arg_i == 2'd3) ? g_i : {W{1'b0}};
    end else begin : gen_avg
      // The sum of four needs two more bits; rounding it by 4 stays in range.
      wire signed [W+1:0] sum = {{2{a_i[W-1]}}, a_i} + {{2{b_i[W-1]}}, b_i} +
                                {{2{c_i[W-1]}}, c_i} + {{2{d_i[W-1]}}, d_i};
      wire                unused_sat_f, unused_sat_b;
      wire signed [W:0]   unused_round_f;
      wire signed [W-2:0] unused_round_b;
      taxonn_rq #(
        .IN_W (W + 2),
        .SHIFT(2),
        .OUT_W(W),
        .RND  (RND)
      ) u_avg (
        .en_i     (1'b1),
        .x_i      (sum),
        .rnd_i    (2'b00),
        .q_o      (y_o),
        .sat_o    (unused_sat_f),
        .rounded_o(unused_round_f)
      );
      wire signed [W-1:0] spread;
      taxonn_rq #(
        .IN_W (W),
        .SHIFT(2),
        .OUT_W(W),
        .RND  (RND)
      ) u_spread (
        .en_i     (1'b1),
        .x_i      (g_i),
        .rnd_i    (2'b00),
        .q_o      (spread),
        .sat_o    (unused_sat_b),
        .rounded_o(unused_round_b)
      );
      assign arg_o = 2'd0;
      assign ga_o  = spread;
      assign gb_o  = spread;
      assign gc_o  = spread;
      assign gd_o  = spread;
      wire unused_arg = ^arg_i;
    end
  endgenerate

endmodule
