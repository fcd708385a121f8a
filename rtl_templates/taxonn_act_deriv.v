// taxonn_act_deriv: the PE's activation-derivative unit (CONTRACT 2, paper
// IV-C). For sigmoid and tanh it feeds sigma and 1 - sigma to the PE's own
// multiplier through MUX1/MUX2 (TDM), so it needs no multiplier of its own.
// Both operands are taken mod 2^F: at sigma = 0 or 1 one of them is 0 and so
// is the product, and otherwise both are < 2^F and fit the W-bit multiplier.
// For ReLU it gives the mask z > 0. Golden twin: taxonn::act_deriv.
`include "taxonn_defs.vh"

module taxonn_act_deriv #(
  parameter integer W   = 16,
  parameter integer F   = 12,
  parameter integer ACT = `TAXONN_ACT_RELU
) (
  input  wire               en_i,   // sigmoid/tanh: a_o and b_o are 0 while low (taxonn_plan_sigmoid)
  input  wire signed [W-1:0] z_i,
  output wire signed [W-1:0] a_o,
  output wire signed [W-1:0] b_o,
  output wire                mask_o
);

  generate
    if (ACT == `TAXONN_ACT_SIGMOID || ACT == `TAXONN_ACT_TANH) begin : gen_sigma
      wire [F:0] s;
      if (ACT == `TAXONN_ACT_TANH) begin : gen_double
        // tanh' = 4 * sigma'(2z): the x4 is applied where the product is rounded.
        taxonn_plan_sigmoid #(
          .IN_W(W + 1),
          .F   (F)
        ) u_plan (
          .en_i(en_i),
          .x_i ({z_i, 1'b0}),
          .s_o (s)
        );
      end else begin : gen_single
        taxonn_plan_sigmoid #(
          .IN_W(W),
          .F   (F)
        ) u_plan (
          .en_i(en_i),
          .x_i (z_i),
          .s_o (s)
        );
      end
      localparam [F:0] One = {1'b1, {F{1'b0}}};
      wire [F:0] one_minus = One - s;
      assign a_o    = {{(W-F){1'b0}}, s[F-1:0]};
      assign b_o    = {{(W-F){1'b0}}, one_minus[F-1:0]};
      assign mask_o = 1'b0;
      wire unused_top = s[F] ^ one_minus[F];
    end else if (ACT == `TAXONN_ACT_RELU) begin : gen_relu
      assign a_o    = {W{1'b0}};
      assign b_o    = {W{1'b0}};
      assign mask_o = ~z_i[W-1] & (|z_i);
      wire unused_en = en_i;
    end else if (ACT == `TAXONN_ACT_RELU_CLIP) begin : gen_relu_clip
      // 0 < z < max: a z the forward sum saturated passes no gradient (CONTRACT 2).
      localparam [W-1:0] MaxRaw = {1'b0, {(W-1){1'b1}}};
      assign a_o    = {W{1'b0}};
      assign b_o    = {W{1'b0}};
      assign mask_o = ~z_i[W-1] & (|z_i) & (z_i != MaxRaw);
      wire unused_en = en_i;
    end else begin : gen_identity
      assign a_o    = {W{1'b0}};
      assign b_o    = {W{1'b0}};
      assign mask_o = 1'b0;
      wire unused_z = ^{z_i, en_i};
    end
  endgenerate

endmodule
