// taxonn_host_reg: the network top's host inputs, sampled at the clock
// (docs/network.md, host interface): a write, a start and a weight's word
// address act from the edge after the one that samples them. Why: no
// combinational path then leads from the host's pins into the PEs, so a
// simulator does not evaluate the datapath again on every input change
// (Verilator's input region was 44% of the 784-100-10 co-simulation's
// time), and the pins see one flip-flop, not the datapath.
module taxonn_host_reg #(
  parameter integer W = 1
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire [W-1:0] d_i,
  output wire [W-1:0] q_o
);

  reg [W-1:0] q_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      q_q <= {W{1'b0}};
    end else begin
      q_q <= d_i;
    end
  end
  assign q_o = q_q;

endmodule
