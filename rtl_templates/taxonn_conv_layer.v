// taxonn_conv_layer: one convolution layer of the network accelerator
// (CONTRACT 3-5, paper IV-A; docs/network.md): a KS x P array of TaxoNN PEs
// with the row-stationary mapping. PE (u, c) holds filter row u of output
// channel c (+ P per pass, folding) for every input channel: word
// pass * (IC*KS + BIAS) + ic * KS + v is W[oc][ic][u][v], and with a bias
// (BIAS = 1) word pass * (IC*KS + 1) + IC*KS of row 0 is b[oc] (the other
// rows' bias words stay 0). Inputs are broadcast along
// an array row (row u reads input row y + u), weights stay in the PEs, and
// the partial sums of a column add up across its rows (the column adder).
// One command at a time, started by the network controller:
//   FWD    per pass, with a bias: one cycle that fetches b[oc] of every
//          column from row 0 (the column adder adds b * 2^F to z's sum);
//          per output pixel: IC*KS MAC cycles; in the next cycle
//          every column's exact sum is rounded to z (one tail cycle ends
//          the pass). The drain runs beside the MACs: one output per
//          cycle, pass by pass, pixel by pixel, column by column, as soon
//          as its z is written: y = act(z) to the layer above, f'(z) into
//          the output's G word (G overwrites it in step 2). FWD ends with
//          the drain's last output.
//   STEP1  per pass and input position: KS cycles in which PE (u, c)
//          multiplies its W[oc][ic][u][v] by G[oc][y-u][x-v] (0 outside),
//          the whole array's exact sum one cycle later (the full convolution
//          of G with the flipped kernels); the exact sum leaves for the
//          layer below (s1_*), summed over passes when folded.
//   UPDATE per pass and weight (ic, v): OH*OW cycles in which PE (u, c)
//          accumulates G[oc][y][x] * X[ic][y+u][x+v] (the weight gradient),
//          D = rq(acc), acc = W * 2^F - alpha * D, and the next weight's
//          first product in the cycle that writes W = rq(acc) back.
//          With a bias: D_b = sat(sum of G[oc]) is summed during the first
//          weight's MACs; the cycle that writes the last weight loads
//          acc = b * 2^F - alpha * D_b, and one more writes b = rq(acc).
// z and f'/G live in one bank each per column (P banks of T * OH*OW words),
// so a PE reads only its column's banks, and the array's z write and the
// drain's f' write never meet in one bank.
// Golden twins: taxonn::Network (values), taxonn::net_phases (cycles).
`include "taxonn_defs.vh"

module taxonn_conv_layer #(
  parameter integer      W         = 16,
  parameter integer      F         = 12,
  parameter integer      ACT       = `TAXONN_ACT_RELU,
  parameter integer      RND       = `TAXONN_RND_NEAREST,
  parameter integer      IC        = 1,   // input channels
  parameter integer      IH        = 8,   // input height
  parameter integer      IW        = 8,   // input width
  parameter integer      OC        = 2,   // output channels (filters)
  parameter integer      KS        = 3,   // kernel size = array rows
  parameter integer      P         = 2,   // array columns, 1..OC
  parameter integer      GUARD     = 6,
  parameter integer      SAT_CNT_W = 16,
  parameter integer      LFSR_W    = 16,
  parameter [LFSR_W-1:0] LFSR_POLY = 16'hB400,
  parameter [LFSR_W-1:0] LFSR_SEED = 16'hACE1,
  parameter integer      LFSR_SALT = 1048576,  // the layer's salts: + unit (CONTRACT 3, rule 8)
  parameter [W-1:0]      NEG_ALPHA = 16'hFF00,  // -alpha in Q(I,F), the reset value
  parameter integer      HAS_STEP1 = 1,   // a weighted layer below exists
  parameter integer      BIAS      = 0,   // 1: a bias per output channel (CONTRACT 3)
  parameter integer      SPARSE_G  = 0,   // 1: a max pool above sends G only to its windows' winners
  parameter integer      XDB       = 0,   // 1 (the first layer): two X buffers, the next sample loading into one
  parameter integer      MEM       = `TAXONN_MEM_FLOPS,  // the PEs' scratchpads (taxonn_spad_any) and Y (taxonn_host_buf)
  parameter integer      GATE      = 0,  // their flip-flop words on gated clocks
  // Derived (checked below): passes, scratchpad words and index widths.
  parameter integer      T         = 1,
  parameter integer      DEPTH     = 3,
  parameter integer      AW        = 2,
  parameter integer      NIW       = 7,
  parameter integer      KIW       = 6,
  parameter integer      PIW       = 3,
  parameter integer      TREE_W    = 38
) (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  // network controller
  input  wire                         start_i,
  input  wire [`TAXONN_NET_CMD_W-1:0] cmd_i,
  output wire                         busy_o,
  output wire                         done_o,
  // X buffer write, CHW index: the sample (first layer: into the buffer
  // runs do not read; x_swap_i, each run's start, swaps them) or the layer
  // below's drain
  input  wire                         x_swap_i,
  input  wire                         x_we_i,
  input  wire [KIW-1:0]               x_idx_i,
  input  wire signed [W-1:0]          x_data_i,
  // forward drain: Y[y_idx_o] = y_o, CHW order, for the layer above
  output wire                         y_valid_o,
  output wire [NIW-1:0]               y_idx_o,
  output wire signed [W-1:0]          y_o,
  // R1 from the layer above (already in this layer's format)
  input  wire                         r1_valid_i,
  input  wire [NIW-1:0]               r1_idx_i,
  input  wire signed [W-1:0]          r1_i,
  // step 1's exact sum for the layer below (2F fractional bits)
  output wire                         s1_valid_o,
  output wire [KIW-1:0]               s1_idx_o,
  output wire signed [TREE_W-1:0]     s1_sum_o,
  // host: weights (PE u * P + c, word), alpha, buffer reads
  input  wire                         w_we_i,
  input  wire [PIW-1:0]               w_pe_i,   // the PE a write goes to
  input  wire [PIW-1:0]               r_pe_i,   // the PE w_rd_o shows (only that mux reads it)
  input  wire [AW-1:0]                w_addr_i,
  input  wire signed [W-1:0]          w_data_i,
  output wire signed [W-1:0]          w_rd_o,
  input  wire                         alpha_we_i,
  input  wire signed [W-1:0]          neg_alpha_i,
  input  wire [NIW-1:0]               rd_idx_i,
  output wire signed [W-1:0]          y_rd_o,
  output wire signed [W-1:0]          g_rd_o
);

  localparam integer OH    = IH - KS + 1;
  localparam integer OW    = IW - KS + 1;
  localparam integer M     = OH * OW;        // output pixels per channel
  localparam integer NIN   = IC * IH * IW;
  localparam integer NOUT  = OC * M;
  localparam integer ICK   = IC * KS;        // weights per pass and PE
  localparam integer GSW   = W + $clog2(M + 1) + 1;  // the exact sum of a channel's G
  localparam integer BANK  = T * M;          // words per column bank
  localparam integer NPE   = KS * P;
  // A G bank word; with SPARSE_G its top bit says it holds G (the G unit
  // wrote it this step), not f' (the drain did): G reads 0 where it is f'.
  localparam integer GBW   = W + SPARSE_G;
  localparam integer GNRD  = (HAS_STEP1 != 0) ? 1 + KS : 1;  // a G bank's read ports: G/f', STEP1's rows

  localparam integer AccW  = 2 * W + GUARD;
  localparam integer Stoch = (RND == `TAXONN_RND_STOCHASTIC) ? 1 : 0;
  localparam integer Trig  = ((ACT == `TAXONN_ACT_SIGMOID) || (ACT == `TAXONN_ACT_TANH)) ? 1 : 0;
  localparam integer ColW  = AccW + $clog2(KS + 1);  // a column's exact sum
  localparam integer CW    = $clog2(NIN + NOUT + 2);  // position counters
  localparam integer TW    = (T > 1) ? $clog2(T) : 1;
  localparam integer BAW   = (BANK > 1) ? $clog2(BANK) : 1;  // a bank word
  localparam integer CBW   = (P > 1) ? $clog2(P) : 1;        // a column
  // StBias: FWD's bias fetch before each pass, UPDATE's bias write after it
  localparam [1:0]   StRun = 2'd0, StTail = 2'd1, StDrain = 2'd2, StBias = 2'd3;
  localparam [1:0]   UMac  = 2'd0, UD = 2'd1, UBase = 2'd2;
  // Loop bounds, at 32 bits and cut to size.
  localparam [31:0]  KsL32 = KS - 1, IcL32 = IC - 1, OwL32 = OW - 1, IwL32 = IW - 1,
                     IhL32 = IH - 1, ML32 = M - 1, NinL32 = NIN - 1, Ick32 = ICK,
                     IckL32 = ICK - 1, IckB32 = ICK + BIAS, M32 = M, P32 = P, TL32 = T - 1;
  localparam [CW-1:0] KsL = KsL32[CW-1:0], IcL = IcL32[CW-1:0], OwL = OwL32[CW-1:0], IwL = IwL32[CW-1:0],
                      IhL = IhL32[CW-1:0], ML = ML32[CW-1:0], NinL = NinL32[CW-1:0];
  localparam [CW-1:0] One = {{(CW-1){1'b0}}, 1'b1};
  localparam [TW-1:0] TLast = TL32[TW-1:0];

  // Derived parameters: the generator derives them once (NetLayerHw,
  // golden_model/core/net_model.cpp) and passes them; the defaults above are
  // their values for the default shape, for linting this module alone. A
  // value that disagrees with the contract's formula below stops
  // elaboration: an instance of an undefined module is the one check all
  // three tools (the simulator, the synthesizer, Icarus) report.
  if (T != (OC + P - 1) / P) begin : gen_check_t
    taxonn_conv_layer_bad_t u_bad_param ();
  end
  if (DEPTH != T * (IC * KS + BIAS)) begin : gen_check_depth
    taxonn_conv_layer_bad_depth u_bad_param ();
  end
  if ((BIAS != 0) && (BIAS != 1)) begin : gen_check_bias
    taxonn_conv_layer_bad_bias u_bad_param ();
  end
  if ((SPARSE_G != 0) && (SPARSE_G != 1)) begin : gen_check_sparse_g
    taxonn_conv_layer_bad_sparse_g u_bad_param ();
  end
  if (AW != ((DEPTH > 1) ? $clog2(DEPTH) : 1)) begin : gen_check_aw
    taxonn_conv_layer_bad_aw u_bad_param ();
  end
  if (NIW != ((NOUT > 1) ? $clog2(NOUT) : 1)) begin : gen_check_niw
    taxonn_conv_layer_bad_niw u_bad_param ();
  end
  if (KIW != ((NIN > 1) ? $clog2(NIN) : 1)) begin : gen_check_kiw
    taxonn_conv_layer_bad_kiw u_bad_param ();
  end
  if (PIW != ((NPE > 1) ? $clog2(NPE) : 1)) begin : gen_check_piw
    taxonn_conv_layer_bad_piw u_bad_param ();
  end
  if (TREE_W != 2 * W + $clog2(KS * KS * OC) + 1) begin : gen_check_tree_w
    taxonn_conv_layer_bad_tree_w u_bad_param ();
  end

  // ---------------------------------------------------------------- sequencer
  reg                         busy_q, busy_d;
  reg [`TAXONN_NET_CMD_W-1:0] cmd_q, cmd_d;
  reg [1:0]                   st_q, ust_q;  // RUN / TAIL / DRAIN; UPDATE's step
  reg [1:0]                   st_d, ust_d;
  reg [TW-1:0]                pass_q, pass_d;
  reg [31:0]                  sbase_q, sbase_d;  // pass * (IC*KS + BIAS): the pass's first word
  reg [31:0]                  gbase_q, gbase_d;  // pass * OH*OW: the pass's bank words
  reg [31:0]                  obase_q, obase_d;  // pass * P: the pass's first channel
  reg [CW-1:0]                v_q, ic_q, v_d, ic_d;  // kernel column, input channel
  reg [CW-1:0]                px_q, py_q, pl_q;  // a position: x, y, linear
  reg [CW-1:0]                px_d, py_d, pl_d;

  wire is_fwd = busy_q & (cmd_q == `TAXONN_NET_CMD_FWD);
  wire is_s1  = busy_q & (cmd_q == `TAXONN_NET_CMD_STEP1);
  wire is_upd = busy_q & (cmd_q == `TAXONN_NET_CMD_UPDATE);
  wire run    = busy_q & (st_q == StRun);
  wire tail   = busy_q & (st_q == StTail);
  wire drain  = busy_q & (st_q == StDrain);
  wire bst    = busy_q & (st_q == StBias);
  wire last_pass = (pass_q == TLast);

  // The drain (FWD): output (pass, pixel, column) once its z is written.
  // zg_q counts the pixel groups written (pass * M + pixel + 1), dgbase_q +
  // dpix_q is the drain's group; the active columns of the last pass end it.
  reg [TW-1:0]  dpass_q;
  reg [CW-1:0]  dpix_q;
  reg [CBW-1:0] dcol_q;
  localparam integer ZGW = $clog2(BANK + 1);      // 0 .. T * M groups
  localparam integer JW  = $clog2(T * P * M + 1);  // 0 .. T * P * M
  reg [ZGW-1:0] dgbase_q, zg_q;  // dpass * M; groups written
  reg [JW-1:0]  jpass_q, jcol_q;  // dpass * P * M; (dpass * P + dcol) * M: no multiplier on the index
  localparam [31:0] LastCol32 = OC - 1 - (T - 1) * P, PL32 = P - 1, Mz32 = M, PMz32 = P * M;
  localparam [CBW-1:0] LastColT = LastCol32[CBW-1:0], LastColP = PL32[CBW-1:0];
  localparam [ZGW-1:0] MZ  = Mz32[ZGW-1:0];
  localparam [JW-1:0]  MJ  = Mz32[JW-1:0], PMJ = PMz32[JW-1:0];
  localparam [ZGW-1:0] ZOne = {{(ZGW-1){1'b0}}, 1'b1};
  wire [31:0]    dpix32  = {{(32-CW){1'b0}}, dpix_q};
  wire [31:0]    dword32 = {{(32-ZGW){1'b0}}, dgbase_q} + dpix32;  // the output's bank word
  wire [CBW-1:0] dcol_end = (dpass_q == TLast) ? LastColT : LastColP;
  wire           d_fire  = is_fwd & (dword32 < {{(32-ZGW){1'b0}}, zg_q});
  wire           d_col_l = (dcol_q == dcol_end);
  wire           d_last  = (dpass_q == TLast) & (dpix_q == ML) & d_col_l;

  wire v_last  = (v_q == KsL);
  wire ic_last = (ic_q == IcL);
  // The last cycle of a pass's RUN, per command.
  wire run_end = is_fwd ? (v_last & ic_last & (pl_q == ML)) :
                 is_s1  ? (v_last & (pl_q == NinL)) :
                          ((ust_q == UBase) & v_last & ic_last);
  wire upd_bias = is_upd & (BIAS != 0);
  assign done_o = busy_q & ((d_fire & d_last) | (tail & last_pass & ~is_fwd & ~upd_bias) |
                            (bst & last_pass & is_upd));
  assign busy_o = busy_q;

  // Next state: a start (while idle or on the last cycle) begins the command
  // at pass 0, the first position and kernel column; then per pass RUN and
  // TAIL (with a bias: FWD's BIAS fetch before, UPDATE's BIAS write after),
  // and FWD's DRAIN after the last.
  wire start_ok = start_i & (~busy_q | done_o);
  always @(*) begin
    busy_d  = busy_q;
    cmd_d   = cmd_q;
    st_d    = st_q;
    ust_d   = ust_q;
    pass_d  = pass_q;
    sbase_d = sbase_q;
    gbase_d = gbase_q;
    obase_d = obase_q;
    v_d     = v_q;
    ic_d    = ic_q;
    px_d    = px_q;
    py_d    = py_q;
    pl_d    = pl_q;
    if (start_ok) begin
      busy_d  = 1'b1;
      cmd_d   = cmd_i;
      st_d    = ((BIAS != 0) && (cmd_i == `TAXONN_NET_CMD_FWD)) ? StBias : StRun;
      ust_d   = UMac;
      pass_d  = {TW{1'b0}};
      sbase_d = 32'd0;
      gbase_d = 32'd0;
      obase_d = 32'd0;
      v_d     = {CW{1'b0}};
      ic_d    = {CW{1'b0}};
      px_d    = {CW{1'b0}};
      py_d    = {CW{1'b0}};
      pl_d    = {CW{1'b0}};
    end else if (busy_q) begin
      if (done_o) begin
        busy_d = 1'b0;
      end else if (drain) begin
        // FWD's MACs are done; the drain finishes alone
      end else if (tail || (bst && is_upd)) begin
        // UPDATE's bias write, the next pass, or FWD's drain.
        v_d  = {CW{1'b0}};
        ic_d = {CW{1'b0}};
        px_d = {CW{1'b0}};
        py_d = {CW{1'b0}};
        pl_d = {CW{1'b0}};
        ust_d = UMac;
        if (tail && upd_bias) begin
          st_d = StBias;
        end else if (last_pass) begin
          st_d = StDrain;
        end else begin
          st_d    = is_fwd && (BIAS != 0) ? StBias : StRun;
          pass_d  = pass_q + {{(TW-1){1'b0}}, 1'b1};
          sbase_d = sbase_q + IckB32;
          gbase_d = gbase_q + M32;
          obase_d = obase_q + P32;
        end
      end else if (bst) begin
        st_d = StRun;  // FWD: the pass's biases are fetched
      end else if (run_end) begin
        st_d = StTail;
      end else if (is_fwd) begin
        // pixel (outer), input channel, kernel column (inner)
        if (!v_last) begin
          v_d = v_q + One;
        end else begin
          v_d = {CW{1'b0}};
          if (!ic_last) begin
            ic_d = ic_q + One;
          end else begin
            ic_d = {CW{1'b0}};
            pl_d = pl_q + One;
            px_d = (px_q == OwL) ? {CW{1'b0}} : px_q + One;
            if (px_q == OwL) py_d = py_q + One;
          end
        end
      end else if (is_s1) begin
        // input position (outer: channel, y, x), kernel column (inner)
        if (!v_last) begin
          v_d = v_q + One;
        end else begin
          v_d  = {CW{1'b0}};
          pl_d = pl_q + One;
          px_d = (px_q == IwL) ? {CW{1'b0}} : px_q + One;
          if (px_q == IwL) begin
            py_d = (py_q == IhL) ? {CW{1'b0}} : py_q + One;
            if (py_q == IhL) ic_d = ic_q + One;
          end
        end
      end else begin
        // UPDATE: weight (outer: channel, kernel column), pixel, then D and W
        case (ust_q)
          UMac: begin
            if (pl_q == ML) begin
              ust_d = UD;
            end else begin
              pl_d = pl_q + One;
              px_d = (px_q == OwL) ? {CW{1'b0}} : px_q + One;
              if (px_q == OwL) py_d = py_q + One;
            end
          end
          UD: ust_d = UBase;
          default: begin
            ust_d = UMac;
            pl_d  = {CW{1'b0}};
            px_d  = {CW{1'b0}};
            py_d  = {CW{1'b0}};
            if (!v_last) begin
              v_d = v_q + One;
            end else begin
              v_d  = {CW{1'b0}};
              ic_d = ic_q + One;
            end
          end
        endcase
      end
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      cmd_q   <= `TAXONN_NET_CMD_FWD;
      st_q    <= StRun;
      ust_q   <= UMac;
      pass_q  <= {TW{1'b0}};
      sbase_q <= 32'd0;
      gbase_q <= 32'd0;
      obase_q <= 32'd0;
      v_q     <= {CW{1'b0}};
      ic_q    <= {CW{1'b0}};
      px_q    <= {CW{1'b0}};
      py_q    <= {CW{1'b0}};
      pl_q    <= {CW{1'b0}};
    end else begin
      busy_q  <= busy_d;
      cmd_q   <= cmd_d;
      st_q    <= st_d;
      ust_q   <= ust_d;
      pass_q  <= pass_d;
      sbase_q <= sbase_d;
      gbase_q <= gbase_d;
      obase_q <= obase_d;
      v_q     <= v_d;
      ic_q    <= ic_d;
      px_q    <= px_d;
      py_q    <= py_d;
      pl_q    <= pl_d;
    end
  end

  // ------------------------------------------------------------ cycle decode
  wire [31:0] v32  = {{(32-CW){1'b0}}, v_q};
  wire [31:0] ic32 = {{(32-CW){1'b0}}, ic_q};
  wire [31:0] px32 = {{(32-CW){1'b0}}, px_q};
  wire [31:0] py32 = {{(32-CW){1'b0}}, py_q};
  wire [31:0] pl32 = {{(32-CW){1'b0}}, pl_q};
  wire [31:0] wa32 = sbase_q + ic32 * KS + v32;  // this cycle's scratchpad word
  wire        first_mac = (v_q == {CW{1'b0}}) & (ic_q == {CW{1'b0}});
  // FWD: the columns' sums of the previous pixel are complete
  wire        f_mac  = is_fwd & run;
  wire        f_z    = is_fwd & ((run & first_mac & (pl_q != {CW{1'b0}})) | tail);
  wire [31:0] f_zpix = tail ? ML32 : pl32 - 32'd1;
  // STEP1: the array's sum of the previous input position
  wire        s_mac  = is_s1 & run;
  wire        s_sum  = is_s1 & ((run & (v_q == {CW{1'b0}}) & (pl_q != {CW{1'b0}})) | tail);
  wire [31:0] s_pos  = tail ? NinL32 : pl32 - 32'd1;
  // UPDATE
  wire        u_mac  = is_upd & run & (ust_q == UMac);
  wire        u_d    = is_upd & run & (ust_q == UD);
  wire        u_base = is_upd & run & (ust_q == UBase);
  // W = rq(acc) of the previous weight: with the next weight's first product
  wire        u_wb   = is_upd & ((u_mac & (pl_q == {CW{1'b0}}) & ~first_mac) | tail);
  // the bias: FWD's fetch; UPDATE's D_b (summed in the first weight's MACs),
  // acc = b * 2^F - alpha * D_b beside the last weight's write, then b = rq(acc)
  wire        f_bias = is_fwd & bst;
  wire        u_gsum = u_mac & first_mac;
  wire        u_bacc = is_upd & tail & (BIAS != 0);
  wire        u_bwb  = is_upd & bst;

  // the drain's state: all 0 at reset and at each command's start
  localparam integer DSW = TW + CW + CBW + 2 * ZGW + 2 * JW;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {dpass_q, dpix_q, dcol_q, dgbase_q, jpass_q, jcol_q, zg_q} <= {DSW{1'b0}};
    end else if (start_ok) begin
      {dpass_q, dpix_q, dcol_q, dgbase_q, jpass_q, jcol_q, zg_q} <= {DSW{1'b0}};
    end else begin
      if (f_z) begin
        zg_q <= zg_q + ZOne;
      end
      if (d_fire) begin
        if (!d_col_l) begin
          dcol_q <= dcol_q + {{(CBW-1){1'b0}}, 1'b1};
          jcol_q <= jcol_q + MJ;
        end else begin
          dcol_q <= {CBW{1'b0}};
          if (dpix_q != ML) begin
            dpix_q <= dpix_q + One;
            jcol_q <= jpass_q;
          end else begin
            dpix_q   <= {CW{1'b0}};
            dpass_q  <= dpass_q + {{(TW-1){1'b0}}, 1'b1};
            dgbase_q <= dgbase_q + MZ;
            jpass_q  <= jpass_q + PMJ;
            jcol_q   <= jpass_q + PMJ;
          end
        end
      end
    end
  end

  // ---------------------------------------------------- the shared control word
  reg [`TAXONN_MUL_A_W-1:0]  mul_a;
  reg [`TAXONN_MUL_B_W-1:0]  mul_b;
  reg [`TAXONN_ACC_OP_W-1:0] acc_op;
  reg [`TAXONN_DST_W-1:0]    dst;
  reg [31:0]                 wr_addr32;
  always @(*) begin
    mul_a     = `TAXONN_MUL_A_X_IN;
    mul_b     = `TAXONN_MUL_B_SPAD;
    acc_op    = `TAXONN_ACC_HOLD;
    dst       = `TAXONN_DST_NONE;
    wr_addr32 = wa32 - 32'd1;
    if (f_mac) begin
      acc_op = first_mac ? `TAXONN_ACC_LOAD : `TAXONN_ACC_ADD;
    end
    if (s_mac) begin
      acc_op = (v_q == {CW{1'b0}}) ? `TAXONN_ACC_LOAD : `TAXONN_ACC_ADD;
    end
    if (u_mac) begin
      mul_b  = `TAXONN_MUL_B_W_IN;  // G arrives on w_i from the column's bank
      acc_op = (pl_q == {CW{1'b0}}) ? `TAXONN_ACC_LOAD : `TAXONN_ACC_ADD;
    end
    if (u_d) begin
      dst = `TAXONN_DST_SUM;  // D, into the sum register
    end
    if (u_base) begin
      mul_a  = `TAXONN_MUL_A_NEG_ALPHA;
      mul_b  = `TAXONN_MUL_B_SUM;  // D
      acc_op = `TAXONN_ACC_BASE;
    end
    if (u_wb) begin
      dst       = `TAXONN_DST_SPAD;
      wr_addr32 = tail ? sbase_q + IckL32 : wa32 - 32'd1;
    end
    if (u_bacc) begin
      mul_a     = `TAXONN_MUL_A_NEG_ALPHA;
      mul_b     = `TAXONN_MUL_B_W_IN;  // D_b arrives on w_i
      acc_op    = `TAXONN_ACC_BASE;
    end
    if (u_bwb) begin
      dst       = `TAXONN_DST_SPAD;  // row 0 only (pe_dst)
      wr_addr32 = sbase_q + Ick32;
    end
  end
  wire [AW-1:0] wr_addr = busy_q ? wr_addr32[AW-1:0] : w_addr_i;

  // ------------------------------------------------------ scratchpad reads
  // The word a cycle of state reads, and whether it uses it ({used, word}):
  // RUN's MACs of FWD and STEP1 and UPDATE's base cycles read the kernel
  // word sbase + ic * KS + v, FWD's bias fetch and UPDATE's bias cycle (its
  // TAIL) the bias word sbase + IC*KS; idle, the host's word. Flip-flop
  // scratchpads read it for this cycle's state; SRAM ones for the next
  // state, a cycle ahead (taxonn_spad_sram). No UPDATE cycle that writes is
  // followed by one that reads (CONTRACT 4), so no write waits.
  function automatic [32:0] spad_read;  // {used, word at 32 bits}
    input                         busy;
    input [`TAXONN_NET_CMD_W-1:0] cmd;
    input [1:0]                   st;
    input [1:0]                   ust;
    input [CW-1:0]                v;
    input [CW-1:0]                ic;
    input [31:0]                  sbase;
    input [AW-1:0]                host;
    reg   [31:0]                  wa;
    begin
      wa = sbase + {{(32-CW){1'b0}}, ic} * KS + {{(32-CW){1'b0}}, v};
      spad_read = {1'b0, wa};
      if (!busy) begin
        spad_read = {1'b1, {(32-AW){1'b0}}, host};
      end else if ((st == StRun) && ((cmd != `TAXONN_NET_CMD_UPDATE) || (ust == UBase))) begin
        spad_read = {1'b1, wa};
      end else if ((BIAS != 0) && (((cmd == `TAXONN_NET_CMD_FWD) && (st == StBias)) ||
                                   ((cmd == `TAXONN_NET_CMD_UPDATE) && (st == StTail)))) begin
        wa = sbase + Ick32;
        spad_read = {1'b1, wa};
      end
    end
  endfunction

  wire [32:0]   rd_now  = spad_read(busy_q, cmd_q, st_q, ust_q, v_q, ic_q, sbase_q, w_addr_i);
  wire [32:0]   rd_next = spad_read(busy_d, cmd_d, st_d, ust_d, v_d, ic_d, sbase_d, w_addr_i);
  wire [AW-1:0] rd_addr = (MEM == `TAXONN_MEM_SRAM) ? rd_next[AW-1:0] : rd_now[AW-1:0];
  // Idle, the host reads unless it writes (its write must not wait).
  wire          rd_en   = busy_d ? rd_next[32] : ~w_we_i;
  wire          unused_rd = ^{rd_now[32:AW], rd_next[31:AW]};

  reg signed [W-1:0] neg_alpha_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      neg_alpha_q <= NEG_ALPHA;
    end else if (alpha_we_i && !busy_q) begin
      neg_alpha_q <= neg_alpha_i;
    end
  end

  // ------------------------------------------------------------- X buffer
  // one read port per array row (gen_row), packed
  wire [KS*KIW-1:0] x_rd_idx;
  wire [KS*W-1:0]   x_rd;
  taxonn_xbuf #(
    .W  (W),
    .N  (NIN),
    .IW (KIW),
    .NRD(KS),
    .DB (XDB)
  ) u_xbuf (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .swap_i   (x_swap_i),
    .we_i     (x_we_i),
    .wr_idx_i (x_idx_i),
    .wr_data_i(x_data_i),
    .rd_idx_i (x_rd_idx),
    .rd_data_o(x_rd)
  );

  // ------------------------------------- the output index j = oc * M + pixel
  // lives in bank (oc mod P), word (oc div P) * M + pixel.
  function automatic [31:0] bank_of(input [31:0] j);
    bank_of = (j / M32) % P32;
  endfunction
  function automatic [31:0] word_of(input [31:0] j);
    word_of = ((j / M32) / P32) * M32 + (j % M32);
  endfunction
  // A G bank word: the value, and with SPARSE_G whether it is G; and G of a word.
  function automatic [GBW-1:0] g_word(input is_g, input [W-1:0] v);
    begin
      g_word        = {GBW{1'b0}};
      g_word[W-1:0] = v;
      if (SPARSE_G != 0) g_word[GBW-1] = is_g;
    end
  endfunction
  function automatic [W-1:0] g_of(input [GBW-1:0] word);
    if ((SPARSE_G != 0) && !word[GBW-1]) g_of = {W{1'b0}};
    else g_of = word[W-1:0];
  endfunction
  // The G unit's output (its f' and then its G share a G bank word), and the host's read.
  wire [31:0] zr_j    = {{(32-NIW){1'b0}}, r1_idx_i};
  wire [31:0] zr_bank = bank_of(zr_j);
  wire [31:0] zr_word = word_of(zr_j);
  wire [31:0] hr_j    = {{(32-NIW){1'b0}}, rd_idx_i};
  wire [31:0] hr_bank = bank_of(hr_j);
  wire [31:0] hr_word = word_of(hr_j);

  // ------------------------------------------------------------------ PEs
  wire signed [AccW-1:0] pe_acc [0:NPE-1];
  wire signed [W-1:0]    pe_rd  [0:NPE-1];
  wire signed [W-1:0]    zrd    [0:P-1];  // each z bank at the drain's word
  wire signed [W-1:0]    fdr    [0:P-1];  // each G bank's read: f' for the G unit (at zr_word)
  wire signed [W-1:0]    grd    [0:P-1];  // each G bank's read: the host's G (at hr_word)
  wire signed [W-1:0]    z_col  [0:P-1];  // each column's rounded sum

  // -------------------- stochastic rounding: the f' and G units' own draws
  // (one per value each rounds; the columns' z rounders have theirs below)
  localparam integer UnitRnd = (Trig != 0) ? RND : `TAXONN_RND_NEAREST;  // ReLU, identity: nothing to round
  wire [F-1:0] fd_rnd, g_rnd;
  taxonn_draw #(
    .LW   (LFSR_W),
    .POLY (LFSR_POLY),
    .SEED (LFSR_SEED),
    .SALT (LFSR_SALT + `TAXONN_SALT_FD),
    .RND  (UnitRnd),
    .RND_W(F)
  ) u_fd_draw (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (d_fire),
    .rnd_o (fd_rnd)
  );
  taxonn_draw #(
    .LW   (LFSR_W),
    .POLY (LFSR_POLY),
    .SEED (LFSR_SEED),
    .SALT (LFSR_SALT + `TAXONN_SALT_G),
    .RND  (UnitRnd),
    .RND_W(F)
  ) u_g_draw (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .en_i  (r1_valid_i & ~busy_q),
    .rnd_o (g_rnd)
  );

  // ---------------------------------------- the drain: y = act(z), f'(z)
  wire signed [W-1:0] z_drain = zrd[dcol_q];
  wire [31:0]         y_j     = {{(32-JW){1'b0}}, jcol_q} + dpix32;
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
  wire signed [W-1:0] fd_drain;
  taxonn_fd_unit #(
    .W  (W),
    .F  (F),
    .ACT(ACT),
    .RND(RND)
  ) u_fd (
    .z_i  (z_drain),
    .rnd_i(fd_rnd),
    .fd_o (fd_drain)
  );

  genvar u, c;
  generate
    // Array row u reads input X[ic][y + u][x + v] (FWD and UPDATE).
    for (u = 0; u < KS; u = u + 1) begin : gen_xrow
      wire [31:0] xi = ic32 * (IH * IW) + (py32 + u) * IW + px32 + v32;
      assign x_rd_idx[u*KIW +: KIW] = xi[KIW-1:0];
      wire unused_xi = ^xi;
    end
    for (c = 0; c < P; c = c + 1) begin : gen_col
      // Unfolded (T = 1), the pass base is the constant 0: each column's
      // channel and activity are wiring, not logic.
      wire [31:0] oc32   = ((T > 1) ? obase_q : 32'd0) + c;
      wire        active = oc32 < OC;
      // this column's banks: z (the array writes, the drain reads); f'
      // (the drain writes), then G over it (the G unit, after FWD)
      wire signed [W-1:0] g_new;
      wire [31:0] zw_word = gbase_q + f_zpix;
      wire [W-1:0] z_rd;
      wire [W-1:0] z_wr = z_col[c];  // a plain wire on the port (Yosys 0.23: below)
      taxonn_bank #(
        .W    (W),
        .DEPTH(BANK),
        .AW   (BAW),
        .NRD  (1)
      ) u_zbank (
        .clk_i    (clk_i),
        .we_i     (f_z && active),
        .wr_addr_i(zw_word[BAW-1:0]),
        .wr_data_i(z_wr),
        .rd_addr_i(dword32[BAW-1:0]),
        .rd_data_o(z_rd)
      );
      assign zrd[c] = z_rd;
      // One read port serves the G bank's three readers, whose phases never
      // meet: UPDATE (busy) reads G[oc][pixel] at gu_word, the same for the
      // whole column; the G unit (idle, the layer above in STEP1) f' at
      // zr_word; the host (the network idle) G at hr_word. A bank-sized mux
      // per reader would be two more per column (area, and hours of ABC on
      // LeNet-5's conv1). STEP1 adds one read port per array row (g_s1).
      wire [31:0]    gu_word = gbase_q + pl32;
      wire [31:0]    gr_word = busy_q ? gu_word : (r1_valid_i ? zr_word : hr_word);
      wire           g_we_r1 = r1_valid_i && !busy_q && (zr_bank == c);
      wire           g_we_d  = d_fire && ({{(32-CBW){1'b0}}, dcol_q} == c);
      wire [31:0]    gw_word = g_we_r1 ? zr_word : dword32;
      wire [GBW-1:0] gw_data = g_we_r1 ? g_word(1'b1, g_new) : g_word(1'b0, fd_drain);
      wire [GNRD*BAW-1:0] g_rd_addr;
      wire [GNRD*GBW-1:0] g_rd_data;
      assign g_rd_addr[BAW-1:0] = gr_word[BAW-1:0];
      taxonn_bank #(
        .W    (GBW),
        .DEPTH(BANK),
        .AW   (BAW),
        .NRD  (GNRD)
      ) u_gbank (
        .clk_i    (clk_i),
        .we_i     (g_we_r1 || g_we_d),
        .wr_addr_i(gw_word[BAW-1:0]),
        .wr_data_i(gw_data),
        .rd_addr_i(g_rd_addr),
        .rd_data_o(g_rd_data)
      );
      wire [GBW-1:0] gr_q    = g_rd_data[GBW-1:0];
      assign fdr[c] = gr_q[W-1:0];
      assign grd[c] = g_of(gr_q);
      wire signed [W-1:0] g_upd = active ? g_of(gr_q) : {W{1'b0}};

      // the bias: b[oc] for the pass's z sums; D_b = sat(sum of G[oc])
      wire signed [ColW-1:0] col_base;
      wire signed [W-1:0]    w_upd;
      if (BIAS != 0) begin : gen_bias
        reg signed [W-1:0]   b_q;
        reg signed [GSW-1:0] gsum_q;
        // Its own signed wire: inside the unsigned sum below, >>> would shift logically.
        wire signed [GSW-1:0] g_upd_ext = $signed({g_upd, {(GSW-W){1'b0}}}) >>> (GSW - W);
        always @(posedge clk_i) begin
          if (f_bias) begin
            b_q <= pe_rd[c];  // PE (0, c): its bias word
          end
          if (u_gsum) begin
            gsum_q <= ((pl_q == {CW{1'b0}}) ? {GSW{1'b0}} : gsum_q) + g_upd_ext;
          end
        end
        wire signed [W-1:0] d_b;
        wire                unused_d_b_sat;
        taxonn_sat #(
          .IN_W (GSW),
          .OUT_W(W)
        ) u_d_b_sat (
          .x_i  (gsum_q),
          .q_o  (d_b),
          .sat_o(unused_d_b_sat)
        );
        assign col_base = $signed({b_q, {(ColW-W){1'b0}}}) >>> (ColW - W - F);
        assign w_upd    = u_bacc ? d_b : g_upd;
      end else begin : gen_no_bias
        assign col_base = {ColW{1'b0}};
        assign w_upd    = g_upd;
      end

      // the column adder: the rows' partial sums, exact, then z = rq(sum)
      reg signed [ColW-1:0] col_sum;
      integer r;
      always @(*) begin
        col_sum = col_base;
        for (r = 0; r < KS; r = r + 1) begin
          // sign extension as a shift (taxonn_acc: the same wires, faster to simulate)
          col_sum = col_sum + ($signed({pe_acc[r*P+c], {(ColW-AccW){1'b0}}}) >>> (ColW - AccW));
        end
      end
      // Plain wires on ports, assigned into the arrays (Yosys 0.23 asserts on
      // array words connected to ports when parameters are overridden).
      wire signed [W-1:0]       z_c;
      wire signed [W-1:0]       fdr_c = fdr[c];
      wire [F-1:0]              z_rnd;
      // this column's z rounder draws once per z it writes
      taxonn_draw #(
        .LW   (LFSR_W),
        .POLY (LFSR_POLY),
        .SEED (LFSR_SEED),
        .SALT (LFSR_SALT + `TAXONN_SALT_ZCOL + c),
        .RND  (RND),
        .RND_W(F)
      ) u_z_draw (
        .clk_i (clk_i),
        .rst_ni(rst_ni),
        .en_i  (f_z & active),
        .rnd_o (z_rnd)
      );
      wire                      unused_z_sat;
      wire signed [ColW-F:0]    unused_z_rounded;
      taxonn_rq #(
        .IN_W (ColW),
        .SHIFT(F),
        .OUT_W(W),
        .RND  (RND)
      ) u_z_rq (
        .en_i     (1'b1),
        .x_i      (col_sum),
        .rnd_i    (z_rnd),
        .q_o      (z_c),
        .sat_o    (unused_z_sat),
        .rounded_o(unused_z_rounded)
      );

      for (u = 0; u < KS; u = u + 1) begin : gen_row
        // FWD and UPDATE: input X[ic][y + u][x + v], broadcast along the row
        wire signed [W-1:0] x_row  = x_rd[u*W +: W];
        // STEP1: G[oc][y - u][x - v], 0 outside the output plane
        wire [31:0]         gy     = py32 - u;
        wire [31:0]         gx     = px32 - v32;
        // (only with a layer below: each PE's read port costs a bank-sized mux)
        wire [31:0]         gs_word = gbase_q + gy * OW + gx;
        wire signed [W-1:0] g_s1;
        if (HAS_STEP1 != 0) begin : gen_g_s1
          wire g_in = active & (gy < OH) & (gx < OW);  // unsigned: negative is large
          assign g_rd_addr[(u+1)*BAW +: BAW] = gs_word[BAW-1:0];
          assign g_s1 = g_in ? g_of(g_rd_data[(u+1)*GBW +: GBW]) : {W{1'b0}};
        end else begin : gen_no_g_s1
          assign g_s1 = {W{1'b0}};
        end
        // SRAM: a write in the cycle the layer starts would hold the port from
        // FWD's second read (CONTRACT 5): such a write is ignored.
        wire                load   = !busy_q && !((MEM == `TAXONN_MEM_SRAM) && start_ok) && w_we_i &&
                                     ({{(32-PIW){1'b0}}, w_pe_i} == u * P + c);
        // Only row 0 holds a bias: the other rows never write their bias
        // words. A stochastic column without a channel in this pass rounds
        // nothing (it would draw; CONTRACT 3, rule 8).
        wire                     idle   = (u_bwb && (u != 0)) || ((Stoch != 0) && !active);
        wire [`TAXONN_DST_W-1:0] pe_dst = busy_q ? (idle ? `TAXONN_DST_NONE : dst) :
                                                   (load ? `TAXONN_DST_LOAD : `TAXONN_DST_NONE);
        wire signed [W-1:0]    rd_uc;
        wire signed [AccW-1:0] acc_uc;
        wire signed [W-1:0]  unused_x_fwd, unused_sum, unused_g;
        wire [SAT_CNT_W-1:0] unused_sat_cnt;
        taxonn_pe #(
          .W        (W),
          .F        (F),
          .ACT      (`TAXONN_ACT_IDENTITY),  // z and f' are the column's
          .RND      (RND),
          .DEPTH    (DEPTH),
          .AW       (AW),
          .GUARD    (GUARD),
          .SAT_CNT_W(SAT_CNT_W),
          .LFSR_W   (LFSR_W),
          .LFSR_POLY(LFSR_POLY),
          .LFSR_SEED(LFSR_SEED),
          .LFSR_SALT(LFSR_SALT + `TAXONN_SALT_PE + u * P + c),
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
          .x_i        (is_s1 ? g_s1 : x_row),
          .w_i        (busy_q ? w_upd : w_data_i),
          .neg_alpha_i(neg_alpha_q),
          .x_fwd_o    (unused_x_fwd),
          .sum_o      (unused_sum),
          .spad_rd_o  (rd_uc),
          .acc_o      (acc_uc),
          .g_o        (unused_g),
          .sat_cnt_o  (unused_sat_cnt)
        );
        assign pe_rd[u*P+c]  = rd_uc;
        assign pe_acc[u*P+c] = acc_uc;
        wire unused_row = ^{gs_word, gx, gy, unused_x_fwd, unused_sum, unused_g, unused_sat_cnt};
      end

      // The G unit's share: this bank's f' for the output the G unit writes.
      taxonn_g_unit #(
        .W  (W),
        .F  (F),
        .ACT(ACT),
        .RND(RND)
      ) u_g_unit (
        .r1_i (r1_i),
        .fd_i (fdr_c),
        .rnd_i(g_rnd),
        .g_o  (g_new)
      );
      assign z_col[c] = z_c;
      wire unused_col = ^{oc32, zw_word, gu_word, unused_z_sat, unused_z_rounded, gr_q, gr_word, gw_word};
    end
  endgenerate

  assign w_rd_o = pe_rd[r_pe_i];

  // Y, for the host's reads (with MEM sram one SRAM: the host's word
  // shows from the edge after its index)
  wire [W-1:0] y_rd;
  taxonn_host_buf #(
    .W    (W),
    .DEPTH(NOUT),
    .AW   (NIW),
    .MEM  (MEM)
  ) u_ybuf (
    .clk_i    (clk_i),
    .we_i     (d_fire),
    .wr_addr_i(y_j[NIW-1:0]),
    .wr_data_i(y_act),
    .rd_addr_i(rd_idx_i),
    .rd_data_o(y_rd)
  );
  assign y_valid_o = d_fire;
  assign y_idx_o   = y_j[NIW-1:0];
  assign y_o       = y_act;

  // ------------------------------------------------ step 1: the array's sum
  generate
    if (HAS_STEP1 != 0) begin : gen_step1
      // |acc| <= KS * 2^(2W-2): it fits TREE_W bits, whichever is wider
      wire signed [TREE_W-1:0] acc_t [0:NPE-1];
      genvar q;
      for (q = 0; q < NPE; q = q + 1) begin : gen_acc_t
        if (AccW > TREE_W) begin : gen_cut
          assign acc_t[q] = pe_acc[q][TREE_W-1:0];
          wire unused_hi = ^pe_acc[q][AccW-1:TREE_W];
        end else if (AccW == TREE_W) begin : gen_same
          assign acc_t[q] = pe_acc[q];
        end else begin : gen_ext
          assign acc_t[q] = $signed({pe_acc[q], {(TREE_W-AccW){1'b0}}}) >>> (TREE_W - AccW);
        end
      end
      reg signed [TREE_W-1:0] tree;
      integer i;
      // Summed only in step 1's cycles (0 otherwise: the fold ignores it
      // then), so that a simulator adds the array only then.
      always @(*) begin
        tree = {TREE_W{1'b0}};
        if (s_sum) begin
          for (i = 0; i < NPE; i = i + 1) begin
            tree = tree + acc_t[i];
          end
        end
      end
      wire [KIW-1:0] j = s_pos[KIW-1:0];
      taxonn_fold_sum #(
        .SUM_W(TREE_W),
        .N    (NIN),
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
      wire unused_s_pos = ^s_pos;
    end else begin : gen_no_step1
      assign s1_valid_o = 1'b0;
      assign s1_idx_o   = {KIW{1'b0}};
      assign s1_sum_o   = {TREE_W{1'b0}};
      wire unused_s1 = ^{s_sum, s_pos};
    end
  endgenerate

  // ------------------------------------------------------------ host reads
  assign y_rd_o = y_rd;
  assign g_rd_o = grd[hr_bank[CBW-1:0]];

  wire unused_seq = ^{u_gsum, f_bias, wa32, wr_addr32, zr_bank, zr_word, hr_bank, hr_word, f_zpix, pl32, ic32, y_j, dword32};

endmodule
