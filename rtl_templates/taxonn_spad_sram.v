// taxonn_spad_sram: the PE's scratchpad as a single-port SRAM with a
// synchronous read (CONTRACT 5, "Scratchpad as SRAM"; config memory: sram).
// The layer gives the address one cycle ahead (rd_addr_i: the word the next
// cycle reads, rd_en_i: the next cycle may read it), so rd_data_o holds the
// word in the cycle it is used, as the flip-flop scratchpad's combinational
// read does. One port serves one access per cycle, in this order:
//   1. a write held from the last cycle (pend_q);
//   2. this cycle's read (rd_en_i), when there is one; this cycle's write
//      (we_i) then waits one cycle in pend_q;
//   3. this cycle's write.
// The layers' schedules never need a read in a cycle after a held write, nor
// read a word in the cycle after its write (CONTRACT 4): then every read sees
// the value the flip-flop scratchpad would show. rd_data_o keeps the last read
// word through cycles without one. An address past DEPTH reads 0 and writes
// nothing. Golden twin: taxonn::SpadSram.
`include "taxonn_defs.vh"

module taxonn_spad_sram #(
  parameter integer W     = 16,
  parameter integer DEPTH = 16,
  parameter integer AW    = 4
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

  reg          pend_q;
  reg [AW-1:0] pend_addr_q;
  reg [W-1:0]  pend_data_q;

  wire          wr_now   = pend_q | (we_i & ~rd_en_i);
  wire          pend_d   = we_i & (pend_q | rd_en_i);
  wire [AW-1:0] port_addr = pend_q ? pend_addr_q : (wr_now ? wr_addr_i : rd_addr_i);
  wire [W-1:0]  port_data = pend_q ? pend_data_q : wr_data_i;
  wire [31:0]   addr_ext  = {{(32-AW){1'b0}}, port_addr};
  wire          in_range  = addr_ext < DEPTH;
  wire          rd_now    = rd_en_i & ~pend_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pend_q <= 1'b0;
    end else begin
      pend_q <= pend_d;
    end
  end
  // The held write's address and data need no reset: pend_q guards them.
  always @(posedge clk_i) begin
    if (pend_d) begin
      pend_addr_q <= wr_addr_i;
      pend_data_q <= wr_data_i;
    end
  end

  // A read past DEPTH returns 0: the flag is the read's, kept with its data.
  reg rd_ok_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_ok_q <= 1'b0;
    end else if (rd_now) begin
      rd_ok_q <= in_range;
    end
  end

  wire [W-1:0] macro_rd;
  taxonn_sram_model #(
    .BITS (W),
    .WORDS(DEPTH),
    .AW   (AW)
  ) u_macro (
    .clk      (clk_i),
    .ce_in    ((wr_now | rd_now) & in_range),
    .we_in    (wr_now),
    .addr_in  (port_addr),
    .wd_in    (port_data),
    .w_mask_in({W{1'b1}}),
    .rd_out   (macro_rd)
  );

  assign rd_data_o = rd_ok_q ? macro_rd : {W{1'b0}};

endmodule
