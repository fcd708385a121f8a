// taxonn_sat_counter: counts saturation events, sticking at its maximum
// (CONTRACT 2: "saturation events are counted"). Golden twin: taxonn::SatCounter.
`include "taxonn_defs.vh"

module taxonn_sat_counter #(
  parameter integer CW = 16
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire          inc_i,
  output wire [CW-1:0] count_o
);

  reg [CW-1:0] count_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      count_q <= {CW{1'b0}};
    end else if (inc_i && !(&count_q)) begin
      count_q <= count_q + {{(CW-1){1'b0}}, 1'b1};
    end
  end

  assign count_o = count_q;

endmodule
