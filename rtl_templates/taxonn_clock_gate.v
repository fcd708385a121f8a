// taxonn_clock_gate: an integrated clock gate (CONTRACT 5, "Clock gating"):
// gclk_o pulses with clk_i in the cycles whose en_i, settled before the
// rising edge, is 1. A latch transparent while clk_i is low holds en_i through
// the high phase, so a change of en_i after the edge cannot cut or stretch a
// pulse. This is the simulation model: synthesis with a liberty replaces the
// module by the liberty's integrated clock-gating cell (Nangate45 CLKGATE_X1,
// synth/clock_gate.cpp), never by a latch and an AND of the mapper's choosing.
// Golden twin: the write enable of a taxonn::Spad word; tested inside
// taxonn_spad with GATE 1 (the spad primitive's gated cases).

module taxonn_clock_gate (
  input  wire clk_i,
  input  wire en_i,
  output wire gclk_o
);

  reg en_q;
  always @(clk_i or en_i) begin
    if (!clk_i) begin
      en_q = en_i;
    end
  end
  assign gclk_o = clk_i & en_q;

endmodule
