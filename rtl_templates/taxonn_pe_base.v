// taxonn_pe_base: the baseline inference-only PE, Eyeriss-like (CONTRACT 5,
// paper Fig. 2): multiplier, accumulator, weight scratchpad, requantizer with
// saturation counter (and LFSR when rounding is stochastic), and the input
// forwarding register. The reference for the TaxoNN PE's area and power.
// Golden twin: taxonn::PeBase.
`include "taxonn_defs.vh"

module taxonn_pe_base #(
  parameter integer     W         = 16,
  parameter integer     F         = 12,
  parameter integer     RND       = `TAXONN_RND_NEAREST,
  parameter integer     MEM       = `TAXONN_MEM_FLOPS,  // the scratchpad: flip-flops or SRAM
  parameter integer     GATE      = 0,  // flip-flop scratchpad words on gated clocks
  parameter integer     DEPTH     = 16,
  parameter integer     AW        = 4,
  parameter integer     GUARD     = 4,
  parameter integer     SAT_CNT_W = 16,
  parameter integer     LFSR_W    = 16,
  parameter [LFSR_W-1:0] LFSR_POLY = 16'hB400,
  parameter [LFSR_W-1:0] LFSR_SEED = 16'hACE1
) (
  input  wire                          clk_i,
  input  wire                          rst_ni,
  // control word (the layer controller's, shared by the layer's PEs)
  input  wire [`TAXONN_ACC_OP_W-1:0]   acc_op_i,
  input  wire [`TAXONN_DST_W-1:0]      dst_i,
  input  wire                          fwd_en_i,
  // MEM flops: the word this cycle reads. MEM sram: the word the next
  // cycle reads, and rd_en_i says it does (taxonn_spad_sram).
  input  wire                          rd_en_i,
  input  wire [AW-1:0]                 rd_addr_i,
  input  wire [AW-1:0]                 wr_addr_i,
  // data
  input  wire signed [W-1:0]           x_i,
  input  wire signed [W-1:0]           w_i,
  output wire signed [W-1:0]           x_fwd_o,
  output wire signed [W-1:0]           sum_o,
  output wire signed [W-1:0]           spad_rd_o,
  output wire signed [2*W+GUARD-1:0]   acc_o,
  output wire        [SAT_CNT_W-1:0]   sat_cnt_o
);

  localparam integer AccW   = 2 * W + GUARD;
  localparam integer RoundW = AccW + 1 - F;

  // ---- scratchpad: written by the host load only ----
  wire [W-1:0] spad_rd;
  taxonn_spad_any #(
    .W    (W),
    .MEM  (MEM),
    .DEPTH(DEPTH),
    .AW   (AW),
    .GATE (GATE)
  ) u_spad (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .rd_en_i  (rd_en_i),
    .rd_addr_i(rd_addr_i),
    .rd_data_o(spad_rd),
    .we_i     (dst_i == `TAXONN_DST_LOAD),
    .wr_addr_i(wr_addr_i),
    .wr_data_i(w_i)
  );

  // ---- MAC ----
  wire signed [2*W-1:0] prod;
  taxonn_mul #(
    .W(W)
  ) u_mul (
    .a_i(x_i),
    .b_i(spad_rd),
    .p_o(prod)
  );

  wire signed [AccW-1:0] acc_q;
  taxonn_acc #(
    .ACC_W   (AccW),
    .P_W     (2 * W),
    .HAS_BASE(0)
  ) u_acc (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .op_i  (acc_op_i),
    .prod_i(prod),
    .base_i({AccW{1'b0}}),
    .acc_o (acc_q)
  );

  // ---- requantizer, LFSR, saturation counter ----
  wire use_rq = (dst_i == `TAXONN_DST_SUM);
  wire signed [W-1:0]      rq_q;
  wire                     rq_sat;
  wire signed [RoundW-1:0] unused_rounded;
  taxonn_rounder #(
    .IN_W     (AccW),
    .F        (F),
    .OUT_W    (W),
    .RND      (RND),
    .LFSR_W   (LFSR_W),
    .LFSR_POLY(LFSR_POLY),
    .LFSR_SEED(LFSR_SEED)
  ) u_rounder (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .use_i    (use_rq),
    .x_i      (acc_q),
    .q_o      (rq_q),
    .sat_o    (rq_sat),
    .rounded_o(unused_rounded)
  );

  taxonn_sat_counter #(
    .CW(SAT_CNT_W)
  ) u_sat_cnt (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .inc_i  (use_rq & rq_sat),
    .count_o(sat_cnt_o)
  );

  // ---- registers (GATE: each on a gated clock) ----
  wire signed [W-1:0] x_fwd_q, sum_q;
  taxonn_reg_en #(
    .W   (W),
    .GATE(GATE)
  ) u_x_fwd (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (fwd_en_i),
    .d_i   (x_i),
    .q_o   (x_fwd_q)
  );
  taxonn_reg_en #(
    .W   (W),
    .GATE(GATE)
  ) u_sum (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (use_rq),
    .d_i   (rq_q),
    .q_o   (sum_q)
  );

  assign x_fwd_o   = x_fwd_q;
  assign sum_o     = sum_q;
  assign spad_rd_o = spad_rd;
  assign acc_o     = acc_q;

endmodule
