// taxonn_pe: the TaxoNN PE (CONTRACT 3 and 5, paper IV-C, Fig. 4): the
// baseline PE's datapath plus MUX1/MUX2 in front of the same multiplier, MUX3
// in front of the accumulator's adder, the training register G (the sum
// register doubles as R1 and then as D, and f' waits in G until step 2
// replaces it with G = R1 * f') and the activation-derivative unit. One control
// word per cycle executes the SGD steps 1-5 by time multiplexing the
// multiplier (golden_model/pe.cpp: pe_train_schedule).
// Golden twin: taxonn::Pe.
`include "taxonn_defs.vh"

module taxonn_pe #(
  parameter integer      W         = 16,
  parameter integer      F         = 12,
  parameter integer      ACT       = `TAXONN_ACT_RELU,
  parameter integer      RND       = `TAXONN_RND_NEAREST,
  parameter integer      MEM       = `TAXONN_MEM_FLOPS,  // the scratchpad: flip-flops or SRAM
  parameter integer      GATE      = 0,  // flip-flop scratchpad words on gated clocks
  parameter integer      DEPTH     = 16,
  parameter integer      AW        = 4,
  parameter integer      GUARD     = 4,
  parameter integer      SAT_CNT_W = 16,
  parameter integer      LFSR_W    = 16,
  parameter [LFSR_W-1:0] LFSR_POLY = 16'hB400,
  parameter [LFSR_W-1:0] LFSR_SEED = 16'hACE1,
  parameter integer      LFSR_SALT = 0   // a network PE's own (taxonn_lfsr); 0 alone
) (
  input  wire                          clk_i,
  input  wire                          rst_ni,
  // control word (the layer controller's, shared by the layer's PEs)
  input  wire [`TAXONN_MUL_A_W-1:0]    mul_a_sel_i,
  input  wire [`TAXONN_MUL_B_W-1:0]    mul_b_sel_i,
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
  input  wire signed [W-1:0]           neg_alpha_i,
  output wire signed [W-1:0]           x_fwd_o,
  output wire signed [W-1:0]           sum_o,
  output wire signed [W-1:0]           spad_rd_o,
  output wire signed [2*W+GUARD-1:0]   acc_o,
  output wire signed [W-1:0]           g_o,
  output wire        [SAT_CNT_W-1:0]   sat_cnt_o
);

  localparam integer AccW   = 2 * W + GUARD;
  localparam integer RoundW = AccW + 1 - F;
  localparam         Trig   = (ACT == `TAXONN_ACT_SIGMOID) || (ACT == `TAXONN_ACT_TANH);
  localparam         Relu   = (ACT == `TAXONN_ACT_RELU) || (ACT == `TAXONN_ACT_RELU_CLIP);

  wire signed [W-1:0] sum_q, g_q;

  // ---- scratchpad: host load, or the rounder writing an updated weight ----
  // The write data is zero unless a word is written (operand isolation): the
  // rounder's output changes every MAC cycle and would otherwise toggle the
  // data inputs of every word (docs/power.md).
  wire [W-1:0]        spad_rd;
  wire                spad_load = (dst_i == `TAXONN_DST_LOAD);
  wire                spad_upd  = (dst_i == `TAXONN_DST_SPAD);
  wire                spad_we   = spad_load | spad_upd;
  wire signed [W-1:0] rq_q;
  wire        [W-1:0] spad_wr_data = ({W{spad_load}} & w_i) | ({W{spad_upd}} & rq_q);
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
    .we_i     (spad_we),
    .wr_addr_i(wr_addr_i),
    .wr_data_i(spad_wr_data)
  );

  // ---- activation-derivative unit ----
  // Enabled only in the cycle that multiplies its operands (f' = s * (1 - s)):
  // its outputs are 0 otherwise, and a simulator evaluates it only then.
  wire signed [W-1:0] deriv_a, deriv_b;
  wire                deriv_mask;
  wire                deriv_en = (mul_a_sel_i == `TAXONN_MUL_A_DERIV_A) | (mul_b_sel_i == `TAXONN_MUL_B_DERIV_B);
  taxonn_act_deriv #(
    .W  (W),
    .F  (F),
    .ACT(ACT)
  ) u_act_deriv (
    .en_i  (deriv_en),
    .z_i   (sum_q),
    .a_o   (deriv_a),
    .b_o   (deriv_b),
    .mask_o(deriv_mask)
  );

  // ---- MUX1, MUX2 and the shared multiplier ----
  reg signed [W-1:0] mul_a, mul_b;
  always @(*) begin
    case (mul_a_sel_i)
      `TAXONN_MUL_A_X_IN:      mul_a = x_i;
      `TAXONN_MUL_A_NEG_ALPHA: mul_a = neg_alpha_i;
      `TAXONN_MUL_A_SUM:       mul_a = sum_q;
      `TAXONN_MUL_A_DERIV_A:   mul_a = deriv_a;
      default:                 mul_a = {W{1'b0}};
    endcase
  end
  always @(*) begin
    case (mul_b_sel_i)
      `TAXONN_MUL_B_SPAD:    mul_b = spad_rd;
      `TAXONN_MUL_B_W_IN:    mul_b = w_i;
      `TAXONN_MUL_B_G:       mul_b = g_q;
      `TAXONN_MUL_B_SUM:     mul_b = sum_q;  // D in steps 3-5
      `TAXONN_MUL_B_DERIV_B: mul_b = deriv_b;
      default:               mul_b = {W{1'b0}};
    endcase
  end

  wire signed [2*W-1:0] prod;
  taxonn_mul #(
    .W(W)
  ) u_mul (
    .a_i(mul_a),
    .b_i(mul_b),
    .p_o(prod)
  );

  // ---- accumulator with MUX3: base = the weight at 2F fractional bits ----
  // (sign extension as a shift, as in taxonn_acc: the same wires, faster to simulate)
  wire signed [AccW-1:0] spad_base = $signed({spad_rd, {(AccW-W){1'b0}}}) >>> (AccW - W - F);
  wire signed [AccW-1:0] acc_q;
  taxonn_acc #(
    .ACC_W   (AccW),
    .P_W     (2 * W),
    .HAS_BASE(1)
  ) u_acc (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .op_i  (acc_op_i),
    .prod_i(prod),
    .base_i(spad_base),
    .acc_o (acc_q)
  );

  // ---- the one rounder, its LFSR and saturation counter ----
  wire dst_rq   = (dst_i == `TAXONN_DST_SUM) | (dst_i == `TAXONN_DST_SPAD);
  wire dst_trig = Trig & ((dst_i == `TAXONN_DST_FD) | (dst_i == `TAXONN_DST_G));
  wire use_rq   = dst_rq | dst_trig;

  wire                     rq_sat;
  wire signed [RoundW-1:0] rq_rounded;
  taxonn_rounder #(
    .IN_W     (AccW),
    .F        (F),
    .OUT_W    (W),
    .RND      (RND),
    .LFSR_W   (LFSR_W),
    .LFSR_POLY(LFSR_POLY),
    .LFSR_SEED(LFSR_SEED),
    .LFSR_SALT(LFSR_SALT)
  ) u_rounder (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .use_i    (use_rq),
    .x_i      (acc_q),
    .q_o      (rq_q),
    .sat_o    (rq_sat),
    .rounded_o(rq_rounded)
  );

  // ---- f' (into the G register): the rounded sigma*(1-sigma), or the ReLU mask ----
  wire signed [W-1:0] fd_new;
  wire                fd_sat;
  generate
    if (ACT == `TAXONN_ACT_TANH) begin : gen_fd_times4
      // tanh' = 4 * sigma'(2z): the rounded product, x4, clamped again.
      taxonn_sat #(
        .IN_W (RoundW + 2),
        .OUT_W(W)
      ) u_sat_x4 (
        .x_i  ({rq_rounded, 2'b00}),
        .q_o  (fd_new),
        .sat_o(fd_sat)
      );
      wire unused_deriv = deriv_mask;
    end else if (ACT == `TAXONN_ACT_SIGMOID) begin : gen_fd_times1
      assign fd_new = rq_q;
      assign fd_sat = rq_sat;
      wire unused_deriv = deriv_mask ^ (^rq_rounded);
    end else if (Relu) begin : gen_fd_mask
      assign fd_new = {{(W-1){1'b0}}, deriv_mask};
      assign fd_sat = 1'b0;
      wire unused_deriv = ^{deriv_a, deriv_b, rq_rounded};
    end else begin : gen_fd_none
      assign fd_new = {W{1'b0}};
      assign fd_sat = 1'b0;
      wire unused_deriv = ^{deriv_a, deriv_b, deriv_mask, rq_rounded, fd_new};
    end
  endgenerate

  // The saturation event of this cycle's rounding (tanh' clamps after x4).
  wire sat_event = ((ACT == `TAXONN_ACT_TANH) && (dst_i == `TAXONN_DST_FD)) ? fd_sat : rq_sat;

  taxonn_sat_counter #(
    .CW(SAT_CNT_W)
  ) u_sat_cnt (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .inc_i  (use_rq & sat_event),
    .count_o(sat_cnt_o)
  );

  // ---- G: f' first (dst FD), then rq(R1 * f'), the ReLU mask, or R1 ----
  reg signed [W-1:0] g_new;
  always @(*) begin
    if (Trig) begin
      g_new = rq_q;
    end else if (Relu) begin
      g_new = g_q[0] ? sum_q : {W{1'b0}};  // g_q holds the mask
    end else begin
      g_new = sum_q;
    end
  end

  // ---- registers (GATE: each on a gated clock) ----
  // G loads in dst G, and in dst FD when the activation has a derivative.
  wire signed [W-1:0] x_fwd_q;
  wire                g_load_fd = (dst_i == `TAXONN_DST_FD) && (ACT != `TAXONN_ACT_IDENTITY);
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
    .en_i  (dst_i == `TAXONN_DST_SUM),
    .d_i   (rq_q),
    .q_o   (sum_q)
  );
  taxonn_reg_en #(
    .W   (W),
    .GATE(GATE)
  ) u_g (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  ((dst_i == `TAXONN_DST_G) || g_load_fd),
    .d_i   ((dst_i == `TAXONN_DST_G) ? g_new : fd_new),
    .q_o   (g_q)
  );

  assign x_fwd_o   = x_fwd_q;
  assign sum_o     = sum_q;
  assign spad_rd_o = spad_rd;
  assign acc_o     = acc_q;
  assign g_o       = g_q;

endmodule
