// taxonn_pool_layer: a 2x2 pooling layer of the network accelerator
// (CONTRACT 3; docs/network.md) around the pooling unit taxonn_pool. It has no
// PEs and no format of its own: values stay in the format of the layer below.
//   forward, beside the layer below's drain: a window's bottom-right
//          input (each channel arrives in raster order, so it is the
//          window's last) is registered as it arrives; in the next cycle
//          the unit pools it with the window's other three, and y (and
//          max's argmax, kept) leaves for the layer above in the cycle
//          after. The registers keep the layers' paths apart (the drain's
//          index, the window's index, the buffers' read). FWD itself is
//          two cycles: the last window pooled, then leaving.
//          The other three come from line buffers, not a copy of the whole
//          input: each channel's last even row (C * IW words: the window's
//          top pair) and the even-column input of its current odd row (C
//          words). Raster order per channel is what makes that enough: a
//          row's pairs are pooled before the channel's next even row
//          overwrites them.
//   STEP1  (with MEM sram after a lead cycle that reads the first
//          position's R and argmax a cycle ahead, CONTRACT 4)
//          the gradient from the R buffer (written by the layer above's
//          step 1) to the layer below. max: one window per cycle, CHW
//          order: all of it to the argmax (the layer below reads 0 for the
//          inputs it does not get: its SPARSE_G); avg: one input per cycle,
//          rq(g / 4) to each.
// Golden twins: taxonn::Network::pool_forward / pool_backward (values),
// taxonn::net_phases (cycles).
`include "taxonn_defs.vh"

module taxonn_pool_layer #(
  parameter integer W    = 16,
  parameter integer KIND = `TAXONN_POOL_MAX,
  parameter integer RND  = `TAXONN_RND_NEAREST,
  parameter integer C    = 2,  // channels
  parameter integer IH   = 8,  // input height, even
  parameter integer IW   = 8,  // input width, even
  parameter integer MEM  = `TAXONN_MEM_FLOPS,  // Y (taxonn_host_buf), R and the argmax: flip-flops or SRAM
  // Derived (checked below): index widths of outputs and inputs.
  parameter integer NIW  = 5,
  parameter integer KIW  = 7
) (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  // network controller
  input  wire                         start_i,
  input  wire [`TAXONN_NET_CMD_W-1:0] cmd_i,
  output wire                         busy_o,
  output wire                         done_o,
  // the input, CHW order: the layer below's drain
  input  wire                         x_we_i,
  input  wire [KIW-1:0]               x_idx_i,
  input  wire signed [W-1:0]          x_data_i,
  // forward: Y[y_idx_o] = y_o, for the layer above (the window order)
  output wire                         y_valid_o,
  output wire [NIW-1:0]               y_idx_o,
  output wire signed [W-1:0]          y_o,
  // the gradient of the outputs, from the layer above (in this format)
  input  wire                         r1_valid_i,
  input  wire [NIW-1:0]               r1_idx_i,
  input  wire signed [W-1:0]          r1_i,
  // the gradient of the inputs, for the layer below
  output wire                         s1_valid_o,
  output wire [KIW-1:0]               s1_idx_o,
  output wire signed [W-1:0]          s1_o,
  // host reads: Y and the output gradient
  input  wire [NIW-1:0]               rd_idx_i,
  output wire signed [W-1:0]          y_rd_o,
  output wire signed [W-1:0]          g_rd_o
);

  localparam integer OH   = IH / 2;
  localparam integer OW   = IW / 2;
  localparam integer NIN  = C * IH * IW;
  localparam integer NOUT = C * OH * OW;
  localparam integer NLB  = C * IW;  // the line buffer: each channel's last even row
  localparam integer LBW  = (NLB > 1) ? $clog2(NLB) : 1;
  localparam integer CHW  = (C > 1) ? $clog2(C) : 1;
  localparam integer CW   = $clog2(NIN + 2);
  localparam integer Max  = (KIND == `TAXONN_POOL_MAX) ? 1 : 0;
  localparam integer Sram = (MEM == `TAXONN_MEM_SRAM) ? 1 : 0;
  localparam [31:0]  WL32 = OW - 1, HL32 = OH - 1, IwL32 = IW - 1, IhL32 = IH - 1, NoutL32 = NOUT - 1,
                     NinL32 = NIN - 1, Iw32 = IW, Ih32 = IH;
  localparam [KIW-1:0] IwK = Iw32[KIW-1:0];  // IW < NIN: it fits
  localparam [KIW-1:0] IhK = Ih32[KIW-1:0];  // IH < NIN: it fits
  localparam [CW-1:0] One = {{(CW-1){1'b0}}, 1'b1};

  // Derived parameters: the generator derives them once (NetLayerHw,
  // golden_model/core/net_model.cpp) and passes them; the defaults above are
  // their values for the default shape, for linting this module alone. A
  // value that disagrees with the contract's formula below stops
  // elaboration: an instance of an undefined module is the one check all
  // three tools (the simulator, the synthesizer, Icarus) report.
  if (NIW != ((NOUT > 1) ? $clog2(NOUT) : 1)) begin : gen_check_niw
    taxonn_pool_layer_bad_niw u_bad_param ();
  end
  if (KIW != ((NIN > 1) ? $clog2(NIN) : 1)) begin : gen_check_kiw
    taxonn_pool_layer_bad_kiw u_bad_param ();
  end

  // ---------------------------------------------------------------- sequencer
  // x, y, channel and linear index of an output (FWD) or an input (STEP1)
  reg                         busy_q, busy_d;
  reg [`TAXONN_NET_CMD_W-1:0] cmd_q, cmd_d;
  reg [CW-1:0]                px_q, py_q, pc_q, pl_q;
  reg [CW-1:0]                px_d, py_d, pc_d, pl_d;
  // SRAM: STEP1's lead cycle, which reads position 0 a cycle ahead (the
  // cycle that starts STEP1 may still write R: the layer above's last G)
  reg                         lead_q, lead_d;
  wire is_fwd = busy_q & (cmd_q == `TAXONN_NET_CMD_FWD);
  wire is_s1  = busy_q & (cmd_q != `TAXONN_NET_CMD_FWD) & ~lead_q;
  // STEP1 walks outputs (max: windows) or inputs (avg)
  wire [CW-1:0] x_last = (Max != 0) ? WL32[CW-1:0] : IwL32[CW-1:0];
  wire [CW-1:0] y_last = (Max != 0) ? HL32[CW-1:0] : IhL32[CW-1:0];
  wire [CW-1:0] l_last = (Max != 0) ? NoutL32[CW-1:0] : NinL32[CW-1:0];
  // FWD: two cycles (the last window pooled, then leaving): pl_q counts them
  assign done_o = (is_fwd & (pl_q != {CW{1'b0}})) | (is_s1 & (pl_q == l_last));
  assign busy_o = busy_q;

  // Next state: a start (while idle or on the last cycle) begins at the
  // first position; then one position per cycle in raster order.
  wire start_ok = start_i & (~busy_q | done_o);
  always @(*) begin
    busy_d = busy_q;
    cmd_d  = cmd_q;
    lead_d = 1'b0;
    px_d   = px_q;
    py_d   = py_q;
    pc_d   = pc_q;
    pl_d   = pl_q;
    if (start_ok) begin
      busy_d = 1'b1;
      cmd_d  = cmd_i;
      lead_d = (Sram != 0) && (cmd_i != `TAXONN_NET_CMD_FWD);
      px_d   = {CW{1'b0}};
      py_d   = {CW{1'b0}};
      pc_d   = {CW{1'b0}};
      pl_d   = {CW{1'b0}};
    end else if (busy_q) begin
      if (done_o) begin
        busy_d = 1'b0;
      end else if (lead_q) begin
        // the lead cycle: position 0 stays
      end else begin
        pl_d = pl_q + One;
        px_d = (px_q == x_last) ? {CW{1'b0}} : px_q + One;
        if (px_q == x_last) begin
          py_d = (py_q == y_last) ? {CW{1'b0}} : py_q + One;
          if (py_q == y_last) pc_d = pc_q + One;
        end
      end
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      lead_q <= 1'b0;
      cmd_q  <= `TAXONN_NET_CMD_FWD;
      px_q   <= {CW{1'b0}};
      py_q   <= {CW{1'b0}};
      pc_q   <= {CW{1'b0}};
      pl_q   <= {CW{1'b0}};
    end else begin
      busy_q <= busy_d;
      lead_q <= lead_d;
      cmd_q  <= cmd_d;
      px_q   <= px_d;
      py_q   <= py_d;
      pc_q   <= pc_d;
      pl_q   <= pl_d;
    end
  end

  wire [31:0] px32 = {{(32-CW){1'b0}}, px_q};
  wire [31:0] py32 = {{(32-CW){1'b0}}, py_q};
  wire [31:0] pc32 = {{(32-CW){1'b0}}, pc_q};

  // ------------------------------------------------------------- buffers
  // An arriving input, x_idx_i = (channel * IH + y) * IW + x: its row
  // (channel * IH + y: IH is even, so row and y have one parity), column,
  // channel and line-buffer word (channel * IW + x).
  wire [KIW-1:0] in_rowk = x_idx_i / IwK;
  wire [KIW-1:0] in_colk = x_idx_i % IwK;
  wire [KIW-1:0] in_chk  = in_rowk / IhK;
  wire [31:0]    in_ch   = {{(32-KIW){1'b0}}, in_chk};
  wire [31:0]    in_lb   = in_ch * IW + {{(32-KIW){1'b0}}, in_colk};
  wire           in_even = ~in_rowk[0];

  reg signed [W-1:0] lbuf_q [0:NLB-1];  // the channel's last even row
  reg signed [W-1:0] hold_q [0:C-1];    // the even-column input of its odd row
  always @(posedge clk_i) begin
    if (x_we_i && in_even) begin
      lbuf_q[in_lb[LBW-1:0]] <= x_data_i;
    end
  end
  always @(posedge clk_i) begin
    if (x_we_i && !in_even && !in_colk[0]) begin
      hold_q[in_chk[CHW-1:0]] <= x_data_i;
    end
  end

  // Forward: the input that arrived last cycle completes the window of
  // output (row / 2) * OW + x / 2 when its row and x are odd; the window's
  // top pair is line-buffer words lb - 1 and lb, its bottom-left the hold.
  reg                xq_we;
  reg [KIW-1:0]      xq_row, xq_col;
  reg [CHW-1:0]      xq_ch;
  reg [LBW-1:0]      xq_lb;
  reg signed [W-1:0] xq_data;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      xq_we   <= 1'b0;
      xq_row  <= {KIW{1'b0}};
      xq_col  <= {KIW{1'b0}};
      xq_ch   <= {CHW{1'b0}};
      xq_lb   <= {LBW{1'b0}};
      xq_data <= {W{1'b0}};
    end else begin
      xq_we <= x_we_i;
      if (x_we_i) begin
        xq_row  <= in_rowk;
        xq_col  <= in_colk;
        xq_ch   <= in_chk[CHW-1:0];
        xq_lb   <= in_lb[LBW-1:0];
        xq_data <= x_data_i;
      end
    end
  end
  wire [31:0] x_row = {{(32-KIW){1'b0}}, xq_row};
  wire [31:0] x_col = {{(32-KIW){1'b0}}, xq_col};
  wire        x_end = xq_we & xq_row[0] & xq_col[0];
  wire [31:0] x_out = (x_row >> 1) * OW + (x_col >> 1);
  wire [LBW-1:0] lb_left = xq_lb - {{(LBW-1){1'b0}}, 1'b1};  // x is odd: x - 1 is in the row
  // STEP1, max: window (c, y, x), at input (c, 2y, 2x); avg: input (c, y,
  // x) of output (c, y/2, x/2), window slot 2 * (y mod 2) + (x mod 2).
  wire [31:0] w0      = (pc32 * IH + 2 * py32) * IW + 2 * px32;
  wire [31:0] o_of_in = (pc32 * OH + (py32 >> 1)) * OW + (px32 >> 1);
  wire [1:0]  slot    = {py_q[0], px_q[0]};
  wire [31:0] o_rd    = (Max != 0) ? {{(32-CW){1'b0}}, pl_q} : o_of_in;

  // Plain wires between the buffers and the unit's ports (Yosys 0.23 asserts
  // on memory words connected to ports when parameters are overridden).
  wire signed [W-1:0] win_a = lbuf_q[lb_left];
  wire signed [W-1:0] win_b = lbuf_q[xq_lb];
  wire signed [W-1:0] win_c = hold_q[xq_ch];
  wire signed [W-1:0] win_d = xq_data;
  wire signed [W-1:0] g_out;
  wire        [1:0]   g_arg;
  wire signed [W-1:0] y_new, ga, gb, gc, gd;
  wire        [1:0]   arg_new;
  taxonn_pool #(
    .W   (W),
    .KIND(KIND),
    .RND (RND)
  ) u_pool (
    .a_i  (win_a),
    .b_i  (win_b),
    .c_i  (win_c),
    .d_i  (win_d),
    .y_o  (y_new),
    .arg_o(arg_new),
    .g_i  (g_out),
    .arg_i(g_arg),
    .ga_o (ga),
    .gb_o (gb),
    .gc_o (gc),
    .gd_o (gd)
  );

  // the pooled output, registered: it leaves for the layer above next cycle
  reg                yv_q;
  reg [NIW-1:0]      yi_q;
  reg signed [W-1:0] yy_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      yv_q <= 1'b0;
      yi_q <= {NIW{1'b0}};
      yy_q <= {W{1'b0}};
    end else begin
      yv_q <= x_end;
      if (x_end) begin
        yi_q <= x_out[NIW-1:0];
        yy_q <= y_new;
      end
    end
  end

  // R (the layer above's G, written while this layer is idle) and the
  // argmax (written as windows pool), read in STEP1 at o_rd; the host reads
  // R as this layer's G. SRAM: one port each, a write before a read; the
  // read is of the next state's position, or of the host's index while
  // idle (the word then shows from the next edge).
  wire [31:0]         px32_d = {{(32-CW){1'b0}}, px_d};
  wire [31:0]         py32_d = {{(32-CW){1'b0}}, py_d};
  wire [31:0]         pc32_d = {{(32-CW){1'b0}}, pc_d};
  wire [31:0]         o_rd_d = (Max != 0) ? {{(32-CW){1'b0}}, pl_d} :
                                            (pc32_d * OH + (py32_d >> 1)) * OW + (px32_d >> 1);
  wire                r_we   = r1_valid_i & ~busy_q;
  wire signed [W-1:0] g_host;
  if (Sram != 0) begin : gen_r_sram
    wire [NIW-1:0] r_addr = r_we ? r1_idx_i : (busy_d ? o_rd_d[NIW-1:0] : rd_idx_i);
    wire [W-1:0]   r_rd;
    taxonn_sram_model #(
      .BITS (W),
      .WORDS(NOUT),
      .AW   (NIW)
    ) u_rbuf (
      .clk      (clk_i),
      .ce_in    (1'b1),
      .we_in    (r_we),
      .addr_in  (r_addr),
      .wd_in    (r1_i),
      .w_mask_in({W{1'b1}}),
      .rd_out   (r_rd)
    );
    wire [NIW-1:0] a_addr = x_end ? x_out[NIW-1:0] : o_rd_d[NIW-1:0];
    wire [1:0]     a_rd;
    taxonn_sram_model #(
      .BITS (2),
      .WORDS(NOUT),
      .AW   (NIW)
    ) u_argbuf (
      .clk      (clk_i),
      .ce_in    (1'b1),
      .we_in    (x_end),
      .addr_in  (a_addr),
      .wd_in    (arg_new),
      .w_mask_in(2'b11),
      .rd_out   (a_rd)
    );
    assign g_out  = r_rd;
    assign g_arg  = a_rd;
    assign g_host = r_rd;
    wire unused_o_rd = ^{o_rd, o_rd_d};
  end else begin : gen_r_flops
    reg signed [W-1:0] rbuf_q [0:NOUT-1];
    reg        [1:0]   argbuf_q [0:NOUT-1];
    always @(posedge clk_i) begin
      if (r_we) begin
        rbuf_q[r1_idx_i] <= r1_i;
      end
    end
    always @(posedge clk_i) begin
      if (x_end) begin
        argbuf_q[x_out[NIW-1:0]] <= arg_new;
      end
    end
    assign g_out  = rbuf_q[o_rd[NIW-1:0]];
    assign g_arg  = argbuf_q[o_rd[NIW-1:0]];
    assign g_host = rbuf_q[rd_idx_i];
    wire unused_o_rd = ^{o_rd, o_rd_d};
  end
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
    .we_i     (x_end),
    .wr_addr_i(x_out[NIW-1:0]),
    .wr_data_i(y_new),
    .rd_addr_i(rd_idx_i),
    .rd_data_o(y_rd)
  );
  assign y_valid_o = yv_q;
  assign y_idx_o   = yi_q;
  assign y_o       = yy_q;

  reg signed [W-1:0] g_slot;
  always @(*) begin
    case (slot)
      2'd0:    g_slot = ga;
      2'd1:    g_slot = gb;
      2'd2:    g_slot = gc;
      default: g_slot = gd;
    endcase
  end
  // max: the window's gradient to its argmax; avg: this input's share
  wire [31:0] s1_max = w0 + (g_arg[1] ? IW : 32'd0) + {31'd0, g_arg[0]};
  wire [31:0] s1_j   = (Max != 0) ? s1_max : {{(32-CW){1'b0}}, pl_q};
  assign s1_valid_o = is_s1;
  assign s1_idx_o   = s1_j[KIW-1:0];
  assign s1_o       = (Max != 0) ? g_out : g_slot;

  assign y_rd_o = y_rd;
  assign g_rd_o = g_host;

  wire unused_pool = ^{o_of_in, o_rd, px32, py32, pc32, x_row, x_col, x_out, in_ch, in_lb, in_chk, w0, s1_max,
                       s1_j, ga, gb, gc, gd, slot, g_slot};

endmodule
