// taxonn_gated_reg: a W-bit register, reset to 0 asynchronously, that loads
// d_i at the rising edges where en_i is 1 (CONTRACT 5, "Clock gating"): the
// PEs' forwarding, sum and G registers when the config gates clocks. Its
// clock goes through taxonn_clock_gate, so it sees an edge only when it
// loads and needs no multiplexer to hold its value. Golden twin: an
// enabled register of taxonn::Pe / taxonn::PeBase (x_fwd, sum, G).

module taxonn_gated_reg #(
  parameter integer W = 16
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire         en_i,
  input  wire [W-1:0] d_i,
  output wire [W-1:0] q_o
);

  wire gclk;
  taxonn_clock_gate u_cg (
    .clk_i (clk_i),
    .en_i  (en_i),
    .gclk_o(gclk)
  );

  reg [W-1:0] q_q;
  always @(posedge gclk or negedge rst_ni) begin
    if (!rst_ni) begin
      q_q <= {W{1'b0}};
    end else begin
      q_q <= d_i;
    end
  end
  assign q_o = q_q;

endmodule
