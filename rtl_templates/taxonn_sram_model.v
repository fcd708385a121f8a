// taxonn_sram_model: a behavioural model of one single-port SRAM macro, for
// simulation only (CONTRACT 5, "Scratchpad as SRAM"). Its pins are the
// macro's (fakeram45, ../shared/pdk/fakeram45/README.md), not this project's
// _i/_o names, so that a macro instance can replace it pin for pin: clk,
// ce_in, we_in, addr_in, wd_in, w_mask_in, rd_out. One access per clock edge
// with ce_in high: a write stores wd_in under w_mask_in and leaves rd_out as
// it was; a read puts the word on rd_out after the edge, where it stays until
// the next read. Golden twin: the words and read register of taxonn::SpadSram.
`include "taxonn_defs.vh"

module taxonn_sram_model #(
  parameter integer BITS  = 16,
  parameter integer WORDS = 16,
  parameter integer AW    = 4
) (
  input  wire            clk,
  input  wire            ce_in,
  input  wire            we_in,
  input  wire [AW-1:0]   addr_in,
  input  wire [BITS-1:0] wd_in,
  input  wire [BITS-1:0] w_mask_in,
  output wire [BITS-1:0] rd_out
);

  // No reset, like the macro: a memory is loaded before use.
  reg [BITS-1:0] mem_q [0:WORDS-1];
  reg [BITS-1:0] rd_q;

  // An address past WORDS (the macro has 2^AW words; a wrapper never sends one)
  // changes nothing and reads back as the last value.
  wire [31:0] addr_ext = {{(32-AW){1'b0}}, addr_in};
  wire        in_range = addr_ext < WORDS;

  always @(posedge clk) begin
    if (ce_in && in_range) begin
      if (we_in) begin
        mem_q[addr_in] <= (wd_in & w_mask_in) | (mem_q[addr_in] & ~w_mask_in);
      end else begin
        rd_q <= mem_q[addr_in];
      end
    end
  end

  assign rd_out = rd_q;

endmodule
