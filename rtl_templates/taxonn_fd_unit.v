// taxonn_fd_unit: f'(z) for a layer whose PEs do not keep z (CONTRACT 2; the
// conv layer's drain, one output per cycle). The same arithmetic as the PE's
// time-multiplexed f' (taxonn_pe, dst FD): sigmoid rq(a * b), tanh
// sat(4 * rq(a * b)), ReLU the mask z > 0 in bit 0, identity raw 1 (the
// golden f'; the G unit does not read it).
// Golden twin: taxonn::act_derivative_value.
`include "taxonn_defs.vh"

module taxonn_fd_unit #(
  parameter integer W   = 16,
  parameter integer F   = 12,
  parameter integer ACT = `TAXONN_ACT_RELU,
  parameter integer RND = `TAXONN_RND_NEAREST
) (
  input  wire signed [W-1:0] z_i,
  input  wire        [F-1:0] rnd_i,  // stochastic rounding's draw (else unused)
  output wire signed [W-1:0] fd_o
);

  wire signed [W-1:0] a, b;
  wire                mask;
  taxonn_act_deriv #(
    .W  (W),
    .F  (F),
    .ACT(ACT)
  ) u_act_deriv (
    .en_i  (1'b1),
    .z_i   (z_i),
    .a_o   (a),
    .b_o   (b),
    .mask_o(mask)
  );

  generate
    if ((ACT == `TAXONN_ACT_SIGMOID) || (ACT == `TAXONN_ACT_TANH)) begin : gen_fd_mul
      localparam integer RoundW = 2 * W + 1 - F;
      wire signed [2*W-1:0]    prod;
      wire signed [W-1:0]      q;
      wire                     unused_sat;
      wire signed [RoundW-1:0] rounded;
      taxonn_mul #(
        .W(W)
      ) u_mul (
        .a_i(a),
        .b_i(b),
        .p_o(prod)
      );
      taxonn_rq #(
        .IN_W (2 * W),
        .SHIFT(F),
        .OUT_W(W),
        .RND  (RND)
      ) u_rq (
        .en_i     (1'b1),
        .x_i      (prod),
        .rnd_i    (rnd_i),
        .q_o      (q),
        .sat_o    (unused_sat),
        .rounded_o(rounded)
      );
      if (ACT == `TAXONN_ACT_TANH) begin : gen_times4
        // tanh' = 4 * sigma'(2z): the rounded product, x4, clamped.
        wire unused_x4_sat;
        taxonn_sat #(
          .IN_W (RoundW + 2),
          .OUT_W(W)
        ) u_sat_x4 (
          .x_i  ({rounded, 2'b00}),
          .q_o  (fd_o),
          .sat_o(unused_x4_sat)
        );
        wire unused_q = ^q;
      end else begin : gen_times1
        assign fd_o = q;
        wire unused_rounded = ^rounded;
      end
      wire unused_mask = mask;
    end else if ((ACT == `TAXONN_ACT_RELU) || (ACT == `TAXONN_ACT_RELU_CLIP)) begin : gen_fd_mask
      assign fd_o = {{(W-1){1'b0}}, mask};
      wire unused_ab = ^{a, b, rnd_i};
    end else begin : gen_fd_none
      assign fd_o = {{(W-1){1'b0}}, 1'b1};
      wire unused_ab = ^{a, b, mask, rnd_i};
    end
  endgenerate

endmodule
