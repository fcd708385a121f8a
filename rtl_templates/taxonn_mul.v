// taxonn_mul: the PE's multiplier, exact signed product (CONTRACT 2).
// Golden twin: taxonn::mul.
`include "taxonn_defs.vh"

module taxonn_mul #(
  parameter integer W = 16
) (
  input  wire signed [W-1:0]   a_i,
  input  wire signed [W-1:0]   b_i,
  output wire signed [2*W-1:0] p_o
);

  // Both operands are signed, so they are sign-extended to 2W bits before the
  // multiply and the product is exact.
  assign p_o = a_i * b_i;

endmodule
