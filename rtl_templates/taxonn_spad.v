// taxonn_spad: the PE's local scratchpad for weights (CONTRACT 5): DEPTH
// words of W bits, one combinational read port and one write port, so the
// TaxoNN update can read weight k while writing back weight k - 1.
// An address past DEPTH reads 0 and writes nothing. Golden twin: taxonn::Spad
// (the scratchpad of taxonn::PeBase).
`include "taxonn_defs.vh"

module taxonn_spad #(
  parameter integer W     = 16,
  parameter integer DEPTH = 16,
  parameter integer AW    = 4
) (
  input  wire          clk_i,
  input  wire [AW-1:0] rd_addr_i,
  output wire [W-1:0]  rd_data_o,
  input  wire          we_i,
  input  wire [AW-1:0] wr_addr_i,
  input  wire [W-1:0]  wr_data_i
);

  // No reset: a memory is loaded before use, and reset flops cost area.
  // mem2reg: Yosys keeps the words as flops with their own write enables,
  // smaller and faster (Nangate45) than the same words mapped from a $mem.
  (* mem2reg *) reg [W-1:0] mem_q [0:DEPTH-1];

  // A write past DEPTH changes nothing (Verilog ignores out-of-range array
  // writes; Yosys maps only the DEPTH words).
  always @(posedge clk_i) begin
    if (we_i) begin
      mem_q[wr_addr_i] <= wr_data_i;
    end
  end

  generate
    if (DEPTH == (1 << AW)) begin : gen_full
      assign rd_data_o = mem_q[rd_addr_i];
    end else begin : gen_partial
      wire [31:0] rd_addr_ext = {{(32-AW){1'b0}}, rd_addr_i};
      wire        in_range    = rd_addr_ext < DEPTH;
      assign rd_data_o = in_range ? mem_q[rd_addr_i] : {W{1'b0}};
    end
  endgenerate

endmodule
