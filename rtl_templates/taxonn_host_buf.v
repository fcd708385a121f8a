// taxonn_host_buf: a layer's output buffer that only the host reads
// (CONTRACT 5, "Output buffers"; docs/network.md, host interface): the conv
// and pool layers' Y, written by the layer, one word per cycle at most,
// read by the host while the network is idle. DEPTH words of W bits.
//   MEM flops: flip-flops (taxonn_bank), the host's word combinationally.
//   MEM sram:  one single-port SRAM (taxonn_sram_model: synthesis maps it
//              to macros) that writes when we_i and otherwise reads
//              rd_addr_i: the host's word shows from the clock edge after
//              the index, and stays until the next read. A read asked for in
//              a write cycle is not made (the host reads the network idle).
// Why a module: the layer reads none of these words, so the buffer can be
// the cheapest memory there is; its kind is one parameter here instead of a
// choice in every layer.
// Golden twin: taxonn::HostBuf (golden_model/pe.hpp); tb_host_buf checks it
// on its own, every network co-simulation through the host's reads.
`include "taxonn_defs.vh"

module taxonn_host_buf #(
  parameter integer W     = 16,
  parameter integer DEPTH = 16,
  parameter integer AW    = 4,
  parameter integer MEM   = `TAXONN_MEM_FLOPS
) (
  input  wire          clk_i,
  input  wire          we_i,
  input  wire [AW-1:0] wr_addr_i,
  input  wire [W-1:0]  wr_data_i,
  input  wire [AW-1:0] rd_addr_i,
  output wire [W-1:0]  rd_data_o
);

  generate
    if (MEM == `TAXONN_MEM_SRAM) begin : gen_sram
      taxonn_sram_model #(
        .BITS (W),
        .WORDS(DEPTH),
        .AW   (AW)
      ) u_macro (
        .clk      (clk_i),
        .ce_in    (1'b1),
        .we_in    (we_i),
        .addr_in  (we_i ? wr_addr_i : rd_addr_i),
        .wd_in    (wr_data_i),
        .w_mask_in({W{1'b1}}),
        .rd_out   (rd_data_o)
      );
    end else begin : gen_flops
      taxonn_bank #(
        .W    (W),
        .DEPTH(DEPTH),
        .AW   (AW),
        .NRD  (1)
      ) u_bank (
        .clk_i    (clk_i),
        .we_i     (we_i),
        .wr_addr_i(wr_addr_i),
        .wr_data_i(wr_data_i),
        .rd_addr_i(rd_addr_i),
        .rd_data_o(rd_data_o)
      );
    end
  endgenerate

endmodule
