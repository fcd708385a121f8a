// taxonn_pool_layer: a 2x2 pooling layer of the network accelerator
// (CONTRACT 3; docs/network.md) around the pooling unit taxonn_pool. It has no
// PEs and no format of its own: values stay in the format of the layer below.
//   FWD    one output per cycle, CHW order: the window's four inputs from
//          the X buffer, y (and max's argmax, kept) to the layer above.
//   STEP1  one input per cycle, CHW order: the gradient routed back from the
//          R buffer (written by the layer above's step 1) to the layer below:
//          max: all of it to the argmax, 0 elsewhere; avg: rq(g / 4) to all.
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
  // X buffer write, CHW order: the layer below's drain
  input  wire                         x_we_i,
  input  wire [KIW-1:0]               x_idx_i,
  input  wire signed [W-1:0]          x_data_i,
  // forward: Y[y_idx_o] = y_o, CHW order, for the layer above
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
  localparam integer CW   = $clog2(NIN + 2);
  localparam [31:0]  WL32 = OW - 1, HL32 = OH - 1, IwL32 = IW - 1, IhL32 = IH - 1, NoutL32 = NOUT - 1,
                     NinL32 = NIN - 1;
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
  wire is_fwd = busy_q & (cmd_q == `TAXONN_NET_CMD_FWD);
  wire is_s1  = busy_q & (cmd_q != `TAXONN_NET_CMD_FWD);
  wire [CW-1:0] x_last = is_fwd ? WL32[CW-1:0] : IwL32[CW-1:0];
  wire [CW-1:0] y_last = is_fwd ? HL32[CW-1:0] : IhL32[CW-1:0];
  wire [CW-1:0] l_last = is_fwd ? NoutL32[CW-1:0] : NinL32[CW-1:0];
  assign done_o = busy_q & (pl_q == l_last);
  assign busy_o = busy_q;

  // Next state: a start (while idle or on the last cycle) begins at the
  // first position; then one position per cycle in raster order.
  wire start_ok = start_i & (~busy_q | done_o);
  always @(*) begin
    busy_d = busy_q;
    cmd_d  = cmd_q;
    px_d   = px_q;
    py_d   = py_q;
    pc_d   = pc_q;
    pl_d   = pl_q;
    if (start_ok) begin
      busy_d = 1'b1;
      cmd_d  = cmd_i;
      px_d   = {CW{1'b0}};
      py_d   = {CW{1'b0}};
      pc_d   = {CW{1'b0}};
      pl_d   = {CW{1'b0}};
    end else if (busy_q) begin
      if (done_o) begin
        busy_d = 1'b0;
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
      cmd_q  <= `TAXONN_NET_CMD_FWD;
      px_q   <= {CW{1'b0}};
      py_q   <= {CW{1'b0}};
      pc_q   <= {CW{1'b0}};
      pl_q   <= {CW{1'b0}};
    end else begin
      busy_q <= busy_d;
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
  reg signed [W-1:0] xbuf_q [0:NIN-1];
  reg signed [W-1:0] ybuf_q [0:NOUT-1];
  reg signed [W-1:0] rbuf_q [0:NOUT-1];
  reg        [1:0]   argbuf_q [0:NOUT-1];
  always @(posedge clk_i) begin
    if (x_we_i) begin
      xbuf_q[x_idx_i] <= x_data_i;
    end
  end
  always @(posedge clk_i) begin
    if (r1_valid_i && !busy_q) begin
      rbuf_q[r1_idx_i] <= r1_i;
    end
  end

  // FWD: the window of output (c, y, x) starts at input (c, 2y, 2x).
  wire [31:0] i0 = (pc32 * IH + 2 * py32) * IW + 2 * px32;
  wire [31:0] i1 = i0 + 32'd1;
  wire [31:0] i2 = i0 + IW;
  wire [31:0] i3 = i0 + IW + 32'd1;
  // STEP1: input (c, y, x) belongs to output (c, y/2, x/2), window slot
  // 2 * (y mod 2) + (x mod 2).
  wire [31:0] o_of_in = (pc32 * OH + (py32 >> 1)) * OW + (px32 >> 1);
  wire [1:0]  slot    = {py_q[0], px_q[0]};
  wire [31:0] o_rd    = is_fwd ? {{(32-CW){1'b0}}, pl_q} : o_of_in;

  // Plain wires between the buffers and the unit's ports (Yosys 0.23 asserts
  // on memory words connected to ports when parameters are overridden).
  wire signed [W-1:0] win_a = xbuf_q[i0[KIW-1:0]];
  wire signed [W-1:0] win_b = xbuf_q[i1[KIW-1:0]];
  wire signed [W-1:0] win_c = xbuf_q[i2[KIW-1:0]];
  wire signed [W-1:0] win_d = xbuf_q[i3[KIW-1:0]];
  wire signed [W-1:0] g_out = rbuf_q[o_rd[NIW-1:0]];
  wire        [1:0]   g_arg = argbuf_q[o_rd[NIW-1:0]];
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

  always @(posedge clk_i) begin
    if (is_fwd) begin
      ybuf_q[pl_q[NIW-1:0]]   <= y_new;
      argbuf_q[pl_q[NIW-1:0]] <= arg_new;
    end
  end
  assign y_valid_o = is_fwd;
  assign y_idx_o   = pl_q[NIW-1:0];
  assign y_o       = y_new;

  reg signed [W-1:0] g_slot;
  always @(*) begin
    case (slot)
      2'd0:    g_slot = ga;
      2'd1:    g_slot = gb;
      2'd2:    g_slot = gc;
      default: g_slot = gd;
    endcase
  end
  assign s1_valid_o = is_s1;
  assign s1_idx_o   = pl_q[KIW-1:0];
  assign s1_o       = g_slot;

  assign y_rd_o = ybuf_q[rd_idx_i];
  assign g_rd_o = rbuf_q[rd_idx_i];

  wire unused_pool = ^{i0, i1, i2, i3, o_of_in, o_rd, px32, py32, pc32};

endmodule
