// taxonn_convert: a value crossing a layer boundary (CONTRACT 1 and 3): from
// IN_F fractional bits into Q(OUT_W - OUT_F, OUT_F) of the receiving layer,
// rounded by the receiver's mode when bits are dropped, saturated always.
// Used forward (an activation entering the next layer, the sample entering
// the first) and backward (step 1's exact sum entering the layer below).
// Golden twin: taxonn::FixedArith::convert / ::reduce.
`include "taxonn_defs.vh"

module taxonn_convert #(
  parameter integer IN_W  = 16,
  parameter integer IN_F  = 12,
  parameter integer OUT_W = 16,
  parameter integer OUT_F = 12,
  parameter integer RND   = `TAXONN_RND_NEAREST,
  // The draw's width: the bits dropped (at least 1)
  parameter integer RND_W = (IN_F > OUT_F) ? IN_F - OUT_F : 1
) (
  input  wire signed [IN_W-1:0]  x_i,
  input  wire        [RND_W-1:0] rnd_i,  // stochastic rounding's draw (else unused)
  output wire signed [OUT_W-1:0] q_o,
  output wire                    sat_o
);

  generate
    if (IN_F >= OUT_F) begin : gen_narrow
      // Fewer fractional bits: the requantizer drops IN_F - OUT_F of them.
      localparam integer Shift = IN_F - OUT_F;
      localparam integer RoundW = IN_W + 1 - Shift;
      wire signed [RoundW-1:0] rounded;
      taxonn_rq #(
        .IN_W (IN_W),
        .SHIFT(Shift),
        .OUT_W(OUT_W),
        .RND  (RND)
      ) u_rq (
        .en_i     (1'b1),
        .x_i      (x_i),
        .rnd_i    (rnd_i),
        .q_o      (q_o),
        .sat_o    (sat_o),
        .rounded_o(rounded)
      );
      wire unused_rounded = ^rounded;
    end else begin : gen_widen
      // More fractional bits: exact, then clamp to the receiver's range.
      localparam integer Shift = OUT_F - IN_F;
      wire unused_rnd = ^rnd_i;
      taxonn_sat #(
        .IN_W (IN_W + Shift),
        .OUT_W(OUT_W)
      ) u_sat (
        .x_i  ({x_i, {Shift{1'b0}}}),
        .q_o  (q_o),
        .sat_o(sat_o)
      );
    end
  endgenerate

endmodule
