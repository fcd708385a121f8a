// taxonn_fc_layer: one fully connected layer of the network accelerator
// (CONTRACT 3-5, paper IV-A to IV-D; docs/network.md): P TaxoNN PEs, the input
// buffer X, the output buffers Y and f', the G buffer, the layer's activation
// unit, its global multiplier (G = rq(R1 * f'), one neuron per cycle), the
// loss unit of an output layer (E = sat(Y - T)) and the adder tree of step 1.
// Neuron j lives in PE j mod P at scratchpad words (j div P) * KB .. + K - 1,
// KB = K + BIAS, its bias (BIAS = 1) in the word after its weights; with
// P < N the layer runs T = ceil(N / P) passes (folding).
// One command at a time, started by the network controller:
//   FWD    per pass: with a bias, acc = b * 2^F (a base with a zero product);
//          K MACs, z = rq(acc), f' (2 / 1 / 0 cycles), then the
//          activation unit drains the pass's neurons, one per cycle.
//   LOSS   N cycles: G[j] = grad(sat(Y[j] - T[j]), f'[j]).
//   STEP1  per pass K + 1 cycles: PE p multiplies its G by W[j, k] for
//          k = 0..K-1, the tree sums the PEs one cycle later; after the last
//          pass the exact sum leaves for the layer below (s1_*).
//   UPDATE per pass 2K + 2 cycles: steps 3-5 (golden: pe_train_schedule);
//          with a bias, acc = b * 2^F - alpha * G beside the last weight's
//          write and b = rq(acc) one cycle more.
// Golden twins: taxonn::Network (values), taxonn::net_cycle_model (cycles).
`include "taxonn_defs.vh"

module taxonn_fc_layer #(
  parameter integer      W         = 16,
  parameter integer      F         = 12,
  parameter integer      ACT       = `TAXONN_ACT_RELU,
  parameter integer      RND       = `TAXONN_RND_NEAREST,
  parameter integer      N         = 8,   // neurons
  parameter integer      K         = 16,  // inputs (fan-in)
  parameter integer      P         = 8,   // PEs, 1..N
  parameter integer      GUARD     = 5,
  parameter integer      SAT_CNT_W = 16,
  parameter integer      LFSR_W    = 16,
  parameter [LFSR_W-1:0] LFSR_POLY = 16'hB400,
  parameter [LFSR_W-1:0] LFSR_SEED = 16'hACE1,
  parameter integer      LFSR_SALT = 1048576,  // the layer's salts: + unit (CONTRACT 3, rule 8)
  parameter [W-1:0]      NEG_ALPHA = 16'hFF00,  // -alpha in Q(I,F), the reset value
  parameter integer      HAS_LOSS  = 0,   // the output layer: target buffer and loss unit
  parameter integer      HAS_STEP1 = 1,   // a layer below exists: step 1 and its tree
  parameter integer      BIAS      = 0,   // 1: a bias per neuron (CONTRACT 3)
  parameter integer      XDB       = 0,   // 1 (the first layer): two X buffers, the next sample loading into one
  parameter integer      MEM       = `TAXONN_MEM_FLOPS,  // the PEs' scratchpads (taxonn_spad_any)
  parameter integer      GATE      = 0,  // their flip-flop words on gated clocks
  // Derived (checked below): passes, scratchpad words and index widths.
  parameter integer      T         = 1,
  parameter integer      DEPTH     = 16,
  parameter integer      AW        = 4,
  parameter integer      NIW       = 3,
  parameter integer      KIW       = 4,
  parameter integer      PIW       = 3,
  parameter integer      TREE_W    = 36
) (
  input  wire                        clk_i,
  input  wire                        rst_ni,
  // network controller
  input  wire                        start_i,
  input  wire [`TAXONN_NET_CMD_W-1:0] cmd_i,
  output wire                        busy_o,
  output wire                        done_o,
  // X buffer write: the sample (first layer: into the buffer runs do not
  // read; x_swap_i, each run's start, swaps them) or the layer below's drain
  input  wire                        x_swap_i,
  input  wire                        x_we_i,
  input  wire [KIW-1:0]              x_idx_i,
  input  wire signed [W-1:0]         x_data_i,
  // forward drain: Y[y_idx_o] = y_o, for the layer above
  output wire                        y_valid_o,
  output wire [NIW-1:0]              y_idx_o,
  output wire signed [W-1:0]         y_o,
  // R1 from the layer above (already in this layer's format)
  input  wire                        r1_valid_i,
  input  wire [NIW-1:0]              r1_idx_i,
  input  wire signed [W-1:0]         r1_i,
  // step 1's exact sum for the layer below (2F fractional bits)
  output wire                        s1_valid_o,
  output wire [KIW-1:0]              s1_idx_o,
  output wire signed [TREE_W-1:0]    s1_sum_o,
  // host: weights (write, or read while idle), targets, alpha, buffer reads
  input  wire                        w_we_i,
  input  wire [PIW-1:0]              w_pe_i,   // the PE a write goes to
  input  wire [PIW-1:0]              r_pe_i,   // the PE w_rd_o shows (only that mux reads it)
  input  wire [AW-1:0]               w_addr_i,
  input  wire signed [W-1:0]         w_data_i,
  output wire signed [W-1:0]         w_rd_o,
  input  wire                        t_we_i,
  input  wire [NIW-1:0]              t_idx_i,
  input  wire signed [W-1:0]         t_data_i,
  input  wire                        alpha_we_i,
  input  wire signed [W-1:0]         neg_alpha_i,
  input  wire [NIW-1:0]              rd_idx_i,
  output wire signed [W-1:0]         y_rd_o,
  output wire signed [W-1:0]         g_rd_o
);

  localparam integer Trig = ((ACT == `TAXONN_ACT_SIGMOID) || (ACT == `TAXONN_ACT_TANH)) ? 1 : 0;
  localparam integer Fdc  = (Trig != 0) ? 2 : (((ACT == `TAXONN_ACT_RELU) || (ACT == `TAXONN_ACT_RELU_CLIP)) ? 1 : 0);  // f' cycles
  localparam integer PLast = N - (T - 1) * P;  // neurons in the last pass
  localparam integer CW   = $clog2(2 * K + N + P + 4);
  localparam integer TW   = (T > 1) ? $clog2(T) : 1;
  localparam integer BW   = NIW + 1;  // a neuron index with room for base + p
  localparam integer AccW = 2 * W + GUARD;
  // Cycle numbers of the sequencer, computed at 32 bits and cut to size.
  localparam [31:0] K32        = K;
  localparam [31:0] KB32       = K + BIAS;  // scratchpad words per neuron
  localparam [31:0] Bias32     = BIAS;
  localparam [31:0] Drain32    = K + 1 + BIAS + Fdc;
  localparam [31:0] FwdLen32   = K + 1 + BIAS + Fdc + P;
  localparam [31:0] FwdLast32  = K + 1 + BIAS + Fdc + PLast;
  localparam [31:0] N32        = N;
  localparam [31:0] S1Len32    = K + 1;
  // With SRAM scratchpads the bias's update waits one cycle: the port is
  // busy writing back W[K-2] in the cycle that would read b (CONTRACT 4).
  localparam integer Sram      = (MEM == `TAXONN_MEM_SRAM) ? 1 : 0;
  localparam [31:0] UpdW32     = 2 * K + 2;  // the weights' part of UPDATE
  localparam [31:0] UpdLen32   = 2 * K + 2 + BIAS * (1 + Sram);
  localparam [31:0] UBacc32    = 2 * K + 1 + Sram;  // acc = b * 2^F - alpha * G
  localparam [31:0] UBwb32     = 2 * K + 2 + Sram;  // b = rq(acc)
  localparam [31:0] Fdc32      = Fdc;
  localparam [31:0] TLast32    = T - 1;
  localparam [31:0] P32        = P;
  localparam [CW-1:0] KC       = K32[CW-1:0];
  localparam [CW-1:0] KBC      = KB32[CW-1:0];  // FWD: the cycle of z = rq(acc)
  localparam [CW-1:0] BiasC    = Bias32[CW-1:0];
  localparam [CW-1:0] UpdW     = UpdW32[CW-1:0];
  localparam [CW-1:0] UBacc    = UBacc32[CW-1:0];
  localparam [CW-1:0] UBwb     = UBwb32[CW-1:0];
  localparam [CW-1:0] FwdDrain = Drain32[CW-1:0];  // first drain cycle of a pass
  localparam [CW-1:0] FwdLen   = FwdLen32[CW-1:0];
  localparam [CW-1:0] FwdLast  = FwdLast32[CW-1:0];
  localparam [CW-1:0] LossLen  = N32[CW-1:0];
  localparam [CW-1:0] S1Len    = S1Len32[CW-1:0];
  localparam [CW-1:0] UpdLen   = UpdLen32[CW-1:0];
  localparam [CW-1:0] FdcC     = Fdc32[CW-1:0];
  localparam [TW-1:0] TLast    = TLast32[TW-1:0];
  localparam [BW-1:0] NB       = N32[BW-1:0];
  localparam [BW-1:0] PB       = P32[BW-1:0];
  localparam [AW-1:0] KA       = K32[AW-1:0];
  localparam [AW-1:0] KBA      = KB32[AW-1:0];

  // Derived parameters: the generator derives them once (NetLayerHw,
  // golden_model/core/net_model.cpp) and passes them; the defaults above are
  // their values for the default shape, for linting this module alone. A
  // value that disagrees with the contract's formula below stops
  // elaboration: an instance of an undefined module is the one check all
  // three tools (the simulator, the synthesizer, Icarus) report.
  if (T != (N + P - 1) / P) begin : gen_check_t
    taxonn_fc_layer_bad_t u_bad_param ();
  end
  if (DEPTH != T * (K + BIAS)) begin : gen_check_depth
    taxonn_fc_layer_bad_depth u_bad_param ();
  end
  if ((BIAS != 0) && (BIAS != 1)) begin : gen_check_bias
    taxonn_fc_layer_bad_bias u_bad_param ();
  end
  if (AW != ((DEPTH > 1) ? $clog2(DEPTH) : 1)) begin : gen_check_aw
    taxonn_fc_layer_bad_aw u_bad_param ();
  end
  if (NIW != ((N > 1) ? $clog2(N) : 1)) begin : gen_check_niw
    taxonn_fc_layer_bad_niw u_bad_param ();
  end
  if (KIW != ((K > 1) ? $clog2(K) : 1)) begin : gen_check_kiw
    taxonn_fc_layer_bad_kiw u_bad_param ();
  end
  if (PIW != ((P > 1) ? $clog2(P) : 1)) begin : gen_check_piw
    taxonn_fc_layer_bad_piw u_bad_param ();
  end
  if (TREE_W != 2 * W + ((N > 1) ? $clog2(N) : 0) + 1) begin : gen_check_tree_w
    taxonn_fc_layer_bad_tree_w u_bad_param ();
  end

  // ---------------------------------------------------------------- sequencer
  reg                         busy_q, busy_d;
  reg [`TAXONN_NET_CMD_W-1:0] cmd_q, cmd_d;
  reg [TW-1:0]                pass_q, pass_d;
  reg [CW-1:0]                cyc_q, cyc_d;
  reg [AW-1:0]                sbase_q, sbase_d;  // pass * K: the pass's first scratchpad word
  reg [BW-1:0]                nbase_q, nbase_d;  // pass * P: the pass's first neuron

  wire is_fwd  = busy_q & (cmd_q == `TAXONN_NET_CMD_FWD);
  wire is_loss = busy_q & (cmd_q == `TAXONN_NET_CMD_LOSS);
  wire is_s1   = busy_q & (cmd_q == `TAXONN_NET_CMD_STEP1);
  wire is_upd  = busy_q & (cmd_q == `TAXONN_NET_CMD_UPDATE);
  wire last_pass = (cmd_q == `TAXONN_NET_CMD_LOSS) | (pass_q == TLast);

  reg [CW-1:0] pass_len;
  always @(*) begin
    case (cmd_q)
      `TAXONN_NET_CMD_FWD:    pass_len = (pass_q == TLast) ? FwdLast : FwdLen;
      `TAXONN_NET_CMD_LOSS:   pass_len = LossLen;
      `TAXONN_NET_CMD_STEP1:  pass_len = S1Len;
      `TAXONN_NET_CMD_UPDATE: pass_len = UpdLen;
      default:                pass_len = {{(CW-1){1'b0}}, 1'b1};
    endcase
  end
  wire cyc_last = (cyc_q == pass_len - {{(CW-1){1'b0}}, 1'b1});

  // Next state. A start while idle, or on the last cycle of a command (back
  // to back: LOSS after FWD), begins the command at pass 0, cycle 0.
  wire start_ok = start_i & (~busy_q | done_o);
  always @(*) begin
    busy_d  = busy_q;
    cmd_d   = cmd_q;
    pass_d  = pass_q;
    cyc_d   = cyc_q;
    sbase_d = sbase_q;
    nbase_d = nbase_q;
    if (start_ok) begin
      busy_d  = 1'b1;
      cmd_d   = cmd_i;
      pass_d  = {TW{1'b0}};
      cyc_d   = {CW{1'b0}};
      sbase_d = {AW{1'b0}};
      nbase_d = {BW{1'b0}};
    end else if (busy_q) begin
      if (!cyc_last) begin
        cyc_d = cyc_q + {{(CW-1){1'b0}}, 1'b1};
      end else if (last_pass) begin
        busy_d = 1'b0;
      end else begin
        cyc_d   = {CW{1'b0}};
        pass_d  = pass_q + {{(TW-1){1'b0}}, 1'b1};
        sbase_d = sbase_q + KBA;
        nbase_d = nbase_q + PB;
      end
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      cmd_q   <= `TAXONN_NET_CMD_FWD;
      pass_q  <= {TW{1'b0}};
      cyc_q   <= {CW{1'b0}};
      sbase_q <= {AW{1'b0}};
      nbase_q <= {BW{1'b0}};
    end else begin
      busy_q  <= busy_d;
      cmd_q   <= cmd_d;
      pass_q  <= pass_d;
      cyc_q   <= cyc_d;
      sbase_q <= sbase_d;
      nbase_q <= nbase_d;
    end
  end

  assign busy_o = busy_q;
  assign done_o = busy_q & cyc_last & last_pass;

  // ------------------------------------------------------------ cycle decode
  // FWD: [the bias,] K MACs (input f_k), z
  wire          f_bias  = is_fwd & (BIAS != 0) & (cyc_q == {CW{1'b0}});
  wire [CW-1:0] f_k     = cyc_q - BiasC;  // past K (the bias cycle: all ones) reads X as 0
  wire          f_mac   = is_fwd & ~f_bias & (cyc_q < KBC);
  wire          f_z     = is_fwd & (cyc_q == KBC);
  wire          f_dmul  = is_fwd & (Trig != 0) & (cyc_q == KBC + {{(CW-1){1'b0}}, 1'b1});
  wire          f_fd    = is_fwd & (Fdc != 0) & (cyc_q == KBC + FdcC);
  wire          f_drain = is_fwd & (cyc_q >= FwdDrain);
  wire [CW-1:0] f_d     = cyc_q - FwdDrain;  // the PE drained this cycle
  // STEP1: products of column cyc_q, the tree one cycle later
  wire          s_mac   = is_s1 & (cyc_q < KC);
  wire          s_sum   = is_s1 & (cyc_q != {CW{1'b0}});
  wire [CW-1:0] s_j     = cyc_q - {{(CW-1){1'b0}}, 1'b1};
  // UPDATE: cycle 0 G*X[0]; 1 G*X[1], D[0]; then per weight i a pair
  //   even 2+2i: acc = W[i]*2^F - alpha*D[i], D[i+1] = rq(G*X[i+1])
  //   odd  3+2i: W[i] = rq(acc), acc = G*X[i+2]
  // then, with a bias: 2K+1 also acc = b*2^F - alpha*G; 2K+2 b = rq(acc)
  // (SRAM: one cycle later each; without a bias UPDATE ends before cycle
  // UpdW: no comparator for it)
  wire          u_weights = (BIAS == 0) | (cyc_q < UpdW);
  wire          u_even  = is_upd & (cyc_q >= {{(CW-2){1'b0}}, 2'd2}) & u_weights & ~cyc_q[0];
  wire          u_odd   = is_upd & (cyc_q >= {{(CW-2){1'b0}}, 2'd3}) & u_weights & cyc_q[0];
  wire [CW-1:0] u_i     = (cyc_q - {{(CW-2){1'b0}}, 2'd2}) >> 1;  // weight of this pair
  wire [CW-1:0] u_xk    = (cyc_q == {CW{1'b0}}) ? {CW{1'b0}} : ((cyc_q + {{(CW-1){1'b0}}, 1'b1}) >> 1);
  // at 32 bits, to add to a scratchpad address of AW bits (AW may exceed CW)
  wire [31:0]   cyc32   = {{(32-CW){1'b0}}, cyc_q};
  wire [31:0]   u_i32   = {{(32-CW){1'b0}}, u_i};
  wire [31:0]   f_k32   = {{(32-CW){1'b0}}, f_k};
  wire          u_gx    = is_upd & ((cyc_q == {CW{1'b0}}) | cyc_q[0]) & (u_xk < KC);
  wire          u_dst_d = is_upd & (((cyc_q == {{(CW-1){1'b0}}, 1'b1})) |
                                    (u_even & (u_i + {{(CW-1){1'b0}}, 1'b1} < KC)));
  wire          u_bacc  = is_upd & (BIAS != 0) & (cyc_q == UBacc);
  wire          u_bwb   = is_upd & (BIAS != 0) & (cyc_q == UBwb);

  // ------------------------------------------------------------- X buffer
  wire [CW-1:0] x_k  = is_upd ? u_xk : f_k;
  wire          x_ok = x_k < KC;
  wire [W-1:0]  x_rd;
  taxonn_xbuf #(
    .W  (W),
    .N  (K),
    .IW (KIW),
    .NRD(1),
    .DB (XDB)
  ) u_xbuf (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .swap_i   (x_swap_i),
    .we_i     (x_we_i),
    .wr_idx_i (x_idx_i),
    .wr_data_i(x_data_i),
    .rd_idx_i (x_k[KIW-1:0]),
    .rd_data_o(x_rd)
  );
  wire signed [W-1:0] x_bus = x_ok ? x_rd : {W{1'b0}};

  // ---------------------------------------------------------- G buffer read
  reg signed [W-1:0] gbuf_q [0:N-1];
  reg signed [W-1:0] ybuf_q [0:N-1];
  reg signed [W-1:0] fdbuf_q [0:N-1];

  // ------------------------------------------------------ scratchpad reads
  // The word a cycle of state (busy, cmd, cyc, sbase) reads, and whether it
  // uses it ({used, word}): the bias (FWD's first cycle, UPDATE's bias
  // cycle), FWD's and STEP1's MACs, UPDATE's even cycles; idle, the host's
  // word. Flip-flop scratchpads read it for this cycle's state; SRAM ones
  // for the next state, a cycle ahead (taxonn_spad_sram).
  function automatic [32:0] spad_read;  // {used, word at 32 bits}
    input                         busy;
    input [`TAXONN_NET_CMD_W-1:0] cmd;
    input [CW-1:0]                cyc;
    input [AW-1:0]                sbase;
    input [AW-1:0]                host;
    reg   [31:0]                  b, c;  // at 32 bits: AW may exceed CW
    begin
      b = {{(32-AW){1'b0}}, sbase};
      c = {{(32-CW){1'b0}}, cyc};
      spad_read = {1'b0, b};
      if (!busy) begin
        spad_read = {1'b1, {(32-AW){1'b0}}, host};
      end else if (cmd == `TAXONN_NET_CMD_FWD) begin
        if ((BIAS != 0) && (cyc == {CW{1'b0}})) begin
          spad_read = {1'b1, b + K32};
        end else if (cyc < KBC) begin
          spad_read = {1'b1, b + c - Bias32};
        end
      end else if (cmd == `TAXONN_NET_CMD_STEP1) begin
        if (cyc < KC) begin
          spad_read = {1'b1, b + c};
        end
      end else if (cmd == `TAXONN_NET_CMD_UPDATE) begin
        if ((BIAS != 0) && (cyc == UBacc)) begin
          spad_read = {1'b1, b + K32};
        end else if ((cyc >= {{(CW-2){1'b0}}, 2'd2}) && ((BIAS == 0) || (cyc < UpdW)) && !cyc[0]) begin
          spad_read = {1'b1, b + ((c - 32'd2) >> 1)};
        end
      end
    end
  endfunction

  wire [32:0]   rd_now  = spad_read(busy_q, cmd_q, cyc_q, sbase_q, w_addr_i);
  wire [32:0]   rd_next = spad_read(busy_d, cmd_d, cyc_d, sbase_d, w_addr_i);
  wire [AW-1:0] rd_addr = (Sram != 0) ? rd_next[AW-1:0] : rd_now[AW-1:0];
  // Idle, the host reads unless it writes (its write must not wait).
  wire          rd_en   = busy_d ? rd_next[32] : ~w_we_i;
  wire          unused_rd = ^{rd_now[32:AW], rd_next[31:AW]};

  // ---------------------------------------------------- the shared control word
  reg [`TAXONN_MUL_A_W-1:0]  mul_a;
  reg [`TAXONN_MUL_B_W-1:0]  mul_b;
  reg [`TAXONN_ACC_OP_W-1:0] acc_op;
  reg [`TAXONN_DST_W-1:0]    dst;
  reg [AW-1:0]               wr_addr;
  always @(*) begin
    mul_a   = `TAXONN_MUL_A_X_IN;
    mul_b   = `TAXONN_MUL_B_SPAD;
    acc_op  = `TAXONN_ACC_HOLD;
    dst     = `TAXONN_DST_NONE;
    wr_addr = busy_q ? sbase_q : w_addr_i;
    if (f_bias) begin
      acc_op  = `TAXONN_ACC_BASE;  // b * 2^F + 0 * b: X reads 0 in this cycle
    end
    if (f_mac) begin
      acc_op  = (cyc_q != {CW{1'b0}}) ? `TAXONN_ACC_ADD : `TAXONN_ACC_LOAD;
    end
    if (s_mac) begin
      acc_op  = `TAXONN_ACC_LOAD;
    end
    if (f_z) begin
      dst = `TAXONN_DST_SUM;
    end
    if (f_dmul) begin
      mul_a  = `TAXONN_MUL_A_DERIV_A;
      mul_b  = `TAXONN_MUL_B_DERIV_B;
      acc_op = `TAXONN_ACC_LOAD;
    end
    if (f_fd) begin
      dst = `TAXONN_DST_FD;
    end
    if (u_gx) begin
      mul_b  = `TAXONN_MUL_B_W_IN;  // G arrives on w_i from the G buffer
      acc_op = `TAXONN_ACC_LOAD;
    end
    if (u_dst_d) begin
      dst = `TAXONN_DST_SUM;  // D, into the sum register
    end
    if (u_even) begin
      mul_a   = `TAXONN_MUL_A_NEG_ALPHA;
      mul_b   = `TAXONN_MUL_B_SUM;  // D
      acc_op  = `TAXONN_ACC_BASE;
    end
    if (u_odd) begin
      dst     = `TAXONN_DST_SPAD;
      wr_addr = sbase_q + u_i32[AW-1:0];
    end
    if (u_bacc) begin
      mul_a   = `TAXONN_MUL_A_NEG_ALPHA;
      mul_b   = `TAXONN_MUL_B_W_IN;  // G: the bias's gradient is G itself
      acc_op  = `TAXONN_ACC_BASE;
    end
    if (u_bwb) begin
      dst     = `TAXONN_DST_SPAD;
      wr_addr = sbase_q + KA;
    end
  end

  reg signed [W-1:0] neg_alpha_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      neg_alpha_q <= NEG_ALPHA;
    end else if (alpha_we_i && !busy_q) begin
      neg_alpha_q <= neg_alpha_i;
    end
  end

  // ------------------------------------------------------------------ PEs
  wire signed [W-1:0]    pe_sum  [0:P-1];
  wire signed [W-1:0]    pe_g    [0:P-1];
  wire signed [W-1:0]    pe_rd   [0:P-1];
  wire signed [2*W-1:0]  pe_prod [0:P-1];

  genvar p;
  generate
    for (p = 0; p < P; p = p + 1) begin : gen_pe
      // This PE's neuron in the current pass and its G (0 past the last
      // neuron). Unfolded, the pass base is the constant 0, so each PE's
      // neuron, G word and activity are wiring, not logic.
      wire [BW-1:0]       nidx   = ((T > 1) ? nbase_q : {BW{1'b0}}) + p[BW-1:0];
      wire                active = nidx < NB;
      wire signed [W-1:0] g_sel  = active ? gbuf_q[nidx[NIW-1:0]] : {W{1'b0}};
      // SRAM: a write in the cycle the layer starts would hold the port from
      // FWD's second read (CONTRACT 5): such a write is ignored.
      wire                load   = !busy_q && !((Sram != 0) && start_ok) && w_we_i && (w_pe_i == p[PIW-1:0]);
      // A stochastic PE without a neuron in this pass rounds nothing (it
      // would draw): its writes are idle anyway (CONTRACT 3, rule 8).
      wire                idle   = (RND == `TAXONN_RND_STOCHASTIC) && !active;
      wire [`TAXONN_DST_W-1:0] pe_dst = busy_q ? (idle ? `TAXONN_DST_NONE : dst) :
                                                 (load ? `TAXONN_DST_LOAD : `TAXONN_DST_NONE);
      wire signed [AccW-1:0] acc;
      wire signed [W-1:0]  unused_x_fwd;
      wire [SAT_CNT_W-1:0] unused_sat_cnt;
      taxonn_pe #(
        .W        (W),
        .F        (F),
        .ACT      (ACT),
        .RND      (RND),
        .DEPTH    (DEPTH),
        .AW       (AW),
        .GUARD    (GUARD),
        .SAT_CNT_W(SAT_CNT_W),
        .LFSR_W   (LFSR_W),
        .LFSR_POLY(LFSR_POLY),
        .LFSR_SEED(LFSR_SEED),
        .LFSR_SALT(LFSR_SALT + `TAXONN_SALT_PE + p),
        .MEM      (MEM),
        .GATE     (GATE)
      ) u_pe (
        .clk_i      (clk_i),
        .rst_ni     (rst_ni),
        .mul_a_sel_i(mul_a),
        .mul_b_sel_i(mul_b),
        .acc_op_i   (acc_op),
        .dst_i      (pe_dst),
        .fwd_en_i   (1'b0),
        .rd_en_i    (rd_en),
        .rd_addr_i  (rd_addr),
        .wr_addr_i  (wr_addr),
        .x_i        (is_s1 ? g_sel : x_bus),
        .w_i        (busy_q ? g_sel : w_data_i),
        .neg_alpha_i(neg_alpha_q),
        .x_fwd_o    (unused_x_fwd),
        .sum_o      (pe_sum[p]),
        .spad_rd_o  (pe_rd[p]),
        .acc_o      (acc),
        .g_o        (pe_g[p]),
        .sat_cnt_o  (unused_sat_cnt)
      );
      // Step 1 loads one product into acc: its low 2W bits hold it exactly.
      assign pe_prod[p] = acc[2*W-1:0];
      wire unused_acc_hi = ^acc[AccW-1:2*W];
    end
  endgenerate

  assign w_rd_o = pe_rd[r_pe_i];

  // ------------------------------------------ forward drain: activation unit
  wire [PIW-1:0]      drain_pe = f_d[PIW-1:0];
  wire signed [W-1:0] z_drain  = pe_sum[drain_pe];
  wire signed [W-1:0] y_act;
  wire                unused_act_sat;
  taxonn_act #(
    .W  (W),
    .F  (F),
    .ACT(ACT)
  ) u_act (
    .z_i  (z_drain),
    .y_o  (y_act),
    .sat_o(unused_act_sat)
  );
  wire [BW-1:0] drain_idx = nbase_q + {{(BW-PIW){1'b0}}, drain_pe};
  always @(posedge clk_i) begin
    if (f_drain) begin
      ybuf_q[drain_idx[NIW-1:0]]  <= y_act;
      fdbuf_q[drain_idx[NIW-1:0]] <= pe_g[drain_pe];  // f' waits in the PE's G register
    end
  end
  assign y_valid_o = f_drain;
  assign y_idx_o   = drain_idx[NIW-1:0];
  assign y_o       = y_act;

  // ------------------------------- G unit: the layer's global multiplier
  wire [NIW-1:0]      loss_j = cyc_q[NIW-1:0];
  wire signed [W-1:0] e_val;
  generate
    if (HAS_LOSS != 0) begin : gen_loss
      reg signed [W-1:0] tbuf_q [0:N-1];
      always @(posedge clk_i) begin
        if (t_we_i) begin
          tbuf_q[t_idx_i] <= t_data_i;
        end
      end
      // E = Y - T, exact in W + 1 bits, then saturated (CONTRACT 3).
      wire signed [W:0] diff = {ybuf_q[loss_j][W-1], ybuf_q[loss_j]} - {tbuf_q[loss_j][W-1], tbuf_q[loss_j]};
      wire              unused_e_sat;
      taxonn_sat #(
        .IN_W (W + 1),
        .OUT_W(W)
      ) u_e_sat (
        .x_i  (diff),
        .q_o  (e_val),
        .sat_o(unused_e_sat)
      );
    end else begin : gen_no_loss
      assign e_val = {W{1'b0}};
      wire unused_t = ^{t_we_i, t_idx_i, t_data_i};
    end
  endgenerate

  wire [NIW-1:0]      g_j   = is_loss ? loss_j : r1_idx_i;
  wire signed [W-1:0] g_r1  = is_loss ? e_val : r1_i;
  wire signed [W-1:0] g_fd  = fdbuf_q[g_j];
  wire                g_we  = is_loss | r1_valid_i;
  wire signed [W-1:0] g_new;
  wire [F-1:0]        g_rnd;
  // the G unit's own draws, one per G it rounds (sigmoid and tanh only)
  taxonn_draw #(
    .LW   (LFSR_W),
    .POLY (LFSR_POLY),
    .SEED (LFSR_SEED),
    .SALT (LFSR_SALT + `TAXONN_SALT_G),
    .RND  ((Trig != 0) ? RND : `TAXONN_RND_NEAREST),
    .RND_W(F)
  ) u_g_draw (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (g_we),
    .rnd_o (g_rnd)
  );
  taxonn_g_unit #(
    .W  (W),
    .F  (F),
    .ACT(ACT),
    .RND(RND)
  ) u_g_unit (
    .r1_i (g_r1),
    .fd_i (g_fd),
    .rnd_i(g_rnd),
    .g_o  (g_new)
  );
  always @(posedge clk_i) begin
    if (g_we) begin
      gbuf_q[g_j] <= g_new;
    end
  end

  // ------------------------------------------------ step 1: the adder tree
  generate
    if (HAS_STEP1 != 0) begin : gen_step1
      reg signed [TREE_W-1:0] tree;
      integer q;
      // Summed only in step 1's cycles (0 otherwise: the fold ignores it
      // then), so that a simulator adds the products only then.
      always @(*) begin
        tree = {TREE_W{1'b0}};
        if (s_sum) begin
          for (q = 0; q < P; q = q + 1) begin
            // sign extension as a shift (taxonn_acc: the same wires, faster to simulate)
            tree = tree + ($signed({pe_prod[q], {(TREE_W-2*W){1'b0}}}) >>> (TREE_W - 2 * W));
          end
        end
      end
      wire [KIW-1:0] j = s_j[KIW-1:0];
      taxonn_fold_sum #(
        .SUM_W(TREE_W),
        .N    (K),
        .IW   (KIW),
        .T    (T)
      ) u_fold_sum (
        .clk_i  (clk_i),
        .valid_i(s_sum),
        .first_i(pass_q == {TW{1'b0}}),
        .last_i (last_pass),
        .idx_i  (j),
        .sum_i  (tree),
        .valid_o(s1_valid_o),
        .sum_o  (s1_sum_o)
      );
      assign s1_idx_o = j;
      wire unused_s_j = ^s_j;
    end else begin : gen_no_step1
      assign s1_valid_o = 1'b0;
      assign s1_idx_o   = {KIW{1'b0}};
      assign s1_sum_o   = {TREE_W{1'b0}};
      wire unused_prod = ^{pe_prod[0], s_sum, s_j};
    end
  endgenerate

  // ------------------------------------------------------------ host reads
  assign y_rd_o = ybuf_q[rd_idx_i];
  assign g_rd_o = gbuf_q[rd_idx_i];

  wire unused_seq = ^{f_d, u_i32, f_k32, cyc32, x_k, drain_idx[BW-1:NIW]};

endmodule
