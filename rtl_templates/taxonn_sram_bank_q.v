// taxonn_sram_bank_q: the address of the last read of a memory built from
// several SRAM macros in depth (banks), for synthesis only: the macros'
// read data is registered, so the bank whose rd_out the memory shows is the
// one of the last read, not of the current address (synth/memory.cpp,
// cover_module; CONTRACT 5, "Scratchpad as SRAM").
`include "taxonn_defs.vh"

module taxonn_sram_bank_q #(
  parameter integer AW = 4
) (
  input  wire          clk_i,
  input  wire          rd_i,
  input  wire [AW-1:0] addr_i,
  output wire [AW-1:0] addr_o
);

  // No reset, like the macros it follows: nothing reads it before a read.
  reg [AW-1:0] addr_q;
  always @(posedge clk_i) begin
    if (rd_i) begin
      addr_q <= addr_i;
    end
  end
  assign addr_o = addr_q;

endmodule
