// taxonn_plan_sigmoid: PLAN shift-and-add sigmoid on raw integers with F
// fractional bits (CONTRACT 2). Output in [0, 2^F], F + 1 unsigned bits.
// Golden twin: taxonn::plan_sigmoid.
`include "taxonn_defs.vh"

module taxonn_plan_sigmoid #(
  parameter integer IN_W = 16,
  parameter integer F    = 12
) (
  input  wire                   en_i,
  input  wire signed [IN_W-1:0] x_i,
  output wire        [F:0]      s_o
);

  // Wide enough for 8*|x| and for 27 * 2^F.
  localparam integer CW = ((IN_W + 3) > (F + 6) ? (IN_W + 3) : (F + 6)) + 1;
  // The PLAN breakpoints and offsets, as multiples of 1.0 = 2^F.
  localparam [CW-1:0] One         = {{(CW-1){1'b0}}, 1'b1} << F;
  localparam [CW-1:0] Five        = (One << 2) + One;                        // |x| >= 5
  localparam [CW-1:0] Nineteen    = (One << 4) + (One << 1) + One;           // 8|x| >= 19 (2.375)
  localparam [CW-1:0] TwentySeven = (One << 4) + (One << 3) + (One << 1) + One;  // 0.84375 * 32
  localparam [CW-1:0] FiveOffset  = (One << 2) + One;                        // 0.625 * 8
  localparam [CW-1:0] TwoOffset   = One << 1;                                // 0.5 * 4

  // Computed only while en_i is high (0 otherwise): a PE needs its
  // derivative in one cycle per neuron, and a simulator evaluates a
  // procedural block under an enable only then (docs/sim.md).
  reg              neg;
  reg [IN_W-1:0]   mag;
  reg [CW-1:0]     a, pos, signed_s;
  always @(*) begin
    neg      = 1'b0;
    mag      = {IN_W{1'b0}};
    a        = {CW{1'b0}};
    pos      = {CW{1'b0}};
    signed_s = {CW{1'b0}};
    if (en_i) begin
      neg = x_i[IN_W-1];
      // |x| as an unsigned number: -min is 2^(IN_W-1), which IN_W unsigned bits hold.
      mag = neg ? (~x_i + {{(IN_W-1){1'b0}}, 1'b1}) : x_i;
      a   = {{(CW-IN_W){1'b0}}, mag};
      if (a >= Five) begin
        pos = One;
      end else if ((a << 3) >= Nineteen) begin
        pos = (a + TwentySeven) >> 5;  // |x|/32 + 0.84375
      end else if (a >= One) begin
        pos = (a + FiveOffset) >> 3;   // |x|/8  + 0.625
      end else begin
        pos = (a + TwoOffset) >> 2;    // |x|/4  + 0.5
      end
      // sigma(-x) = 1 - sigma(x); every segment is <= 1.0, so F + 1 bits hold it.
      signed_s = neg ? (One - pos) : pos;
    end
  end
  assign s_o = signed_s[F:0];
  wire unused_high = ^signed_s[CW-1:F+1];

endmodule
