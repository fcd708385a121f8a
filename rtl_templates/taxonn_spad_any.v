// taxonn_spad_any: the PE's scratchpad as the config's `memory` says
// (CONTRACT 5): flip-flops with a combinational read (taxonn_spad, MEM
// flops: rd_addr_i is this cycle's word, rd_en_i unused) or a single-port
// SRAM with a synchronous read (taxonn_spad_sram, MEM sram: rd_addr_i is the
// next cycle's word). Golden twins: taxonn::Spad and taxonn::SpadSram.
`include "taxonn_defs.vh"

module taxonn_spad_any #(
  parameter integer W     = 16,
  parameter integer MEM   = `TAXONN_MEM_FLOPS,
  parameter integer DEPTH = 16,
  parameter integer AW    = 4,
  parameter integer GATE  = 0   // flip-flops: each word on a gated clock
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire          rd_en_i,
  input  wire [AW-1:0] rd_addr_i,
  output wire [W-1:0]  rd_data_o,
  input  wire          we_i,
  input  wire [AW-1:0] wr_addr_i,
  input  wire [W-1:0]  wr_data_i
);

  generate
    if (MEM == `TAXONN_MEM_SRAM) begin : gen_sram
      taxonn_spad_sram #(
        .W    (W),
        .DEPTH(DEPTH),
        .AW   (AW)
      ) u_sram (
        .clk_i    (clk_i),
        .rst_ni   (rst_ni),
        .rd_en_i  (rd_en_i),
        .rd_addr_i(rd_addr_i),
        .rd_data_o(rd_data_o),
        .we_i     (we_i),
        .wr_addr_i(wr_addr_i),
        .wr_data_i(wr_data_i)
      );
    end else begin : gen_flops
      // The flip-flops need neither the reset (no held write) nor the read
      // enable (a combinational read).
      wire unused_sram = rst_ni ^ rd_en_i;
      taxonn_spad #(
        .W    (W),
        .DEPTH(DEPTH),
        .AW   (AW),
        .GATE (GATE)
      ) u_flops (
        .clk_i    (clk_i),
        .rd_addr_i(rd_addr_i),
        .rd_data_o(rd_data_o),
        .we_i     (we_i),
        .wr_addr_i(wr_addr_i),
        .wr_data_i(wr_data_i)
      );
    end
  endgenerate

endmodule
