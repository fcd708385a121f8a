// taxonn_net_ctrl: the network controller (CONTRACT 3 and 4, docs/network.md).
// It runs one command per layer at a time, in the order of one SGD step:
//   FWD of layers 0..NL-1, LOSS of the output layer, then from the top down
//   STEP1 of layer l (G of layer l - 1, with layer l's weights before their
//   update) and UPDATE of layer l; layer 0 has no STEP1.
// Inference runs the FWD phases only. The next phase starts in the cycle the
// current one ends, so a step takes exactly the sum of its phases' cycles;
// each phase's cycles and the total are counted for the host.
// Golden twin: taxonn::net_phases (the order and each phase's cycles).
`include "taxonn_defs.vh"

module taxonn_net_ctrl #(
  parameter integer NL    = 2,   // layers
  parameter integer LW    = 1,   // layer index width, clog2(NL) (at least 1)
  parameter integer CNT_W = 32,
  parameter integer SW    = 3    // counter select width: clog2(3 * NL + 1)
) (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  input  wire                         start_i,  // while idle: start a step (or inference)
  input  wire                         train_i,  // 1: SGD step, 0: inference
  output wire                         busy_o,
  output wire                         done_o,   // the last cycle of the last phase
  output wire [NL-1:0]                layer_start_o,
  output wire [`TAXONN_NET_CMD_W-1:0] cmd_o,
  input  wire [NL-1:0]                layer_done_i,
  input  wire [SW-1:0]                cnt_sel_i,  // 0..3NL-1: a phase; 3NL: the total
  output wire [CNT_W-1:0]             cnt_o
);

  localparam integer NPh = 3 * NL;  // FWD x NL, LOSS, STEP1 x (NL - 1), UPDATE x NL

  // The layer and command of phase ph (net_phases in the golden model).
  function automatic [LW-1:0] phase_layer(input integer ph);
    integer b;
    begin
      b = ph - NL - 1;
      if (ph < NL) phase_layer = ph[LW-1:0];
      else if (ph == NL) phase_layer = NL[LW-1:0] - 1'b1;
      else if (b == 2 * NL - 2) phase_layer = {LW{1'b0}};
      else phase_layer = NL[LW-1:0] - 1'b1 - b[LW:1];
    end
  endfunction
  function automatic [`TAXONN_NET_CMD_W-1:0] phase_cmd(input integer ph);
    integer b;
    begin
      b = ph - NL - 1;
      if (ph < NL) phase_cmd = `TAXONN_NET_CMD_FWD;
      else if (ph == NL) phase_cmd = `TAXONN_NET_CMD_LOSS;
      else if (b == 2 * NL - 2 || b[0]) phase_cmd = `TAXONN_NET_CMD_UPDATE;
      else phase_cmd = `TAXONN_NET_CMD_STEP1;
    end
  endfunction

  reg          running_q, train_q;
  reg [31:0]   ph_q;
  reg [CNT_W-1:0] cnt_q [0:NPh];  // [NPh] is the total

  wire [LW-1:0] cur_layer = phase_layer(ph_q);
  wire          cur_done  = running_q & layer_done_i[cur_layer];
  wire [31:0]   last_ph   = train_q ? NPh - 1 : NL - 1;
  wire          finish    = cur_done & (ph_q == last_ph);
  // The phase launched this cycle: the first on start, the next when one ends.
  wire          launch    = (!running_q & start_i) | (cur_done & !finish);
  wire [31:0]   next_ph   = running_q ? ph_q + 32'd1 : 32'd0;
  wire [LW-1:0] next_layer = phase_layer(next_ph);

  genvar l;
  generate
    for (l = 0; l < NL; l = l + 1) begin : gen_start
      assign layer_start_o[l] = launch & (next_layer == l[LW-1:0]);
    end
  endgenerate
  assign cmd_o = phase_cmd(next_ph);

  integer i;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      running_q <= 1'b0;
      train_q   <= 1'b0;
      ph_q      <= 32'd0;
      for (i = 0; i <= NPh; i = i + 1) cnt_q[i] <= {CNT_W{1'b0}};
    end else if (!running_q) begin
      if (start_i) begin
        running_q <= 1'b1;
        train_q   <= train_i;
        ph_q      <= 32'd0;
        for (i = 0; i <= NPh; i = i + 1) cnt_q[i] <= {CNT_W{1'b0}};
      end
    end else begin
      cnt_q[ph_q] <= cnt_q[ph_q] + {{(CNT_W-1){1'b0}}, 1'b1};
      cnt_q[NPh]  <= cnt_q[NPh] + {{(CNT_W-1){1'b0}}, 1'b1};
      if (finish) begin
        running_q <= 1'b0;
      end else if (cur_done) begin
        ph_q <= next_ph;
      end
    end
  end

  assign busy_o = running_q;
  assign done_o = finish;
  assign cnt_o  = ({{(32-SW){1'b0}}, cnt_sel_i} <= NPh) ? cnt_q[cnt_sel_i] : {CNT_W{1'b0}};

endmodule
