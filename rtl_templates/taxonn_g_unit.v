// taxonn_g_unit: a layer's global multiplier (CONTRACT 3 step 2, paper IV-D):
// G = grad(R1, f') for one output per cycle. sigmoid/tanh: rq(R1 * f');
// ReLU: R1 where the stored mask says z > 0, else 0; identity: R1.
// Shared by taxonn_fc_layer and taxonn_conv_layer.
// Golden twin: FixedArith::grad (golden_model/arith.hpp).
`include "taxonn_defs.vh"

module taxonn_g_unit #(
  parameter integer W   = 16,
  parameter integer F   = 12,
  parameter integer ACT = `TAXONN_ACT_RELU,
  parameter integer RND = `TAXONN_RND_NEAREST
) (
  input  wire signed [W-1:0] r1_i,
  input  wire signed [W-1:0] fd_i,  // f', or the ReLU mask in bit 0
  input  wire        [F-1:0] rnd_i, // stochastic rounding's draw (else unused)
  output wire signed [W-1:0] g_o
);

  generate
    if ((ACT == `TAXONN_ACT_SIGMOID) || (ACT == `TAXONN_ACT_TANH)) begin : gen_g_mul
      wire signed [2*W-1:0]     prod;
      wire signed [2*W+1-F-1:0] unused_rounded;
      wire                      unused_sat;
      taxonn_mul #(
        .W(W)
      ) u_mul (
        .a_i(r1_i),
        .b_i(fd_i),
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
        .q_o      (g_o),
        .sat_o    (unused_sat),
        .rounded_o(unused_rounded)
      );
    end else if ((ACT == `TAXONN_ACT_RELU) || (ACT == `TAXONN_ACT_RELU_CLIP)) begin : gen_g_mask
      assign g_o = fd_i[0] ? r1_i : {W{1'b0}};
      wire unused_fd = ^{fd_i[W-1:1], rnd_i};
    end else begin : gen_g_pass
      assign g_o = r1_i;
      wire unused_fd = ^{fd_i, rnd_i};
    end
  endgenerate

endmodule
