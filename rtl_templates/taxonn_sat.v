// taxonn_sat: clamp a signed value to a narrower signed field (CONTRACT 2).
// Golden twin: taxonn::sat.
`include "taxonn_defs.vh"

module taxonn_sat #(
  parameter integer IN_W  = 33,
  parameter integer OUT_W = 16
) (
  input  wire signed [IN_W-1:0]  x_i,
  output wire signed [OUT_W-1:0] q_o,
  output wire                    sat_o
);

  generate
    if (IN_W > OUT_W) begin : gen_clip
      localparam [OUT_W-1:0] MaxVal = {1'b0, {(OUT_W-1){1'b1}}};
      localparam [OUT_W-1:0] MinVal = {1'b1, {(OUT_W-1){1'b0}}};
      // The value fits when every bit above the output's sign bit equals it.
      wire [IN_W-OUT_W:0] top_bits = x_i[IN_W-1:OUT_W-1];
      wire                fits     = (&top_bits) | ~(|top_bits);
      assign q_o   = fits ? x_i[OUT_W-1:0] : (x_i[IN_W-1] ? MinVal : MaxVal);
      assign sat_o = ~fits;
    end else if (IN_W == OUT_W) begin : gen_same
      assign q_o   = x_i;
      assign sat_o = 1'b0;
    end else begin : gen_extend
      assign q_o   = $signed({x_i, {(OUT_W-IN_W){1'b0}}}) >>> (OUT_W - IN_W);
      assign sat_o = 1'b0;
    end
  endgenerate

endmodule
