// taxonn_act: the layer's activation unit, f(z) in Q(I,F), saturated
// (CONTRACT 2, paper IV-C). Golden twin: taxonn::act.
`include "taxonn_defs.vh"

module taxonn_act #(
  parameter integer W   = 16,
  parameter integer F   = 12,
  parameter integer ACT = `TAXONN_ACT_RELU
) (
  input  wire signed [W-1:0] z_i,
  output wire signed [W-1:0] y_o,
  output wire                sat_o
);

  generate
    if (ACT == `TAXONN_ACT_SIGMOID) begin : gen_sigmoid
      wire [F:0] s;
      taxonn_plan_sigmoid #(
        .IN_W(W),
        .F   (F)
      ) u_plan (
        .en_i(1'b1),
        .x_i (z_i),
        .s_o (s)
      );
      // sigma = 1.0 does not fit Q(1,F): the clamp takes it to the maximum.
      taxonn_sat #(
        .IN_W (F + 2),
        .OUT_W(W)
      ) u_sat (
        .x_i  ({1'b0, s}),
        .q_o  (y_o),
        .sat_o(sat_o)
      );
    end else if (ACT == `TAXONN_ACT_TANH) begin : gen_tanh
      // tanh(z) = 2 * sigma(2z) - 1
      wire [F:0] s;
      taxonn_plan_sigmoid #(
        .IN_W(W + 1),
        .F   (F)
      ) u_plan (
        .en_i(1'b1),
        .x_i ({z_i, 1'b0}),
        .s_o (s)
      );
      localparam [F+2:0] One = {{(F+2){1'b0}}, 1'b1} << F;
      wire signed [F+2:0] t = {1'b0, s, 1'b0} - One;
      taxonn_sat #(
        .IN_W (F + 3),
        .OUT_W(W)
      ) u_sat (
        .x_i  (t),
        .q_o  (y_o),
        .sat_o(sat_o)
      );
    end else if ((ACT == `TAXONN_ACT_RELU) || (ACT == `TAXONN_ACT_RELU_CLIP)) begin : gen_relu
      assign y_o   = z_i[W-1] ? {W{1'b0}} : z_i;
      assign sat_o = 1'b0;
    end else begin : gen_identity
      assign y_o   = z_i;
      assign sat_o = 1'b0;
    end
  endgenerate

endmodule
