// taxonn_net_ctrl: the network controller (CONTRACT 3 and 4, docs/network.md).
// It launches the phases of the phase table the generator computes from the
// config (taxonn::net_phases), in order: FWD of every layer bottom-up, LOSS
// of the output layer, then top-down each layer's STEP1 (its gradient for
// the layer below; a pool layer routes it) and UPDATE. Inference runs the
// first NFWD phases only. A phase is launched in the cycle the one before it
// ends, except after an UPDATE: an UPDATE runs in the background (its layer's
// weights are read by no later phase of the step, and no later phase writes
// its buffers), so the next phase is launched in its first cycle. The run
// ends when every phase is launched and every layer is idle; each phase's
// cycles (its layer's busy cycles) and the total are counted for the host.
// Golden twin: taxonn::net_phases and net_cycles (the schedule, each phase's cycles).
`include "taxonn_defs.vh"

module taxonn_net_ctrl #(
  parameter integer            NL       = 2,   // layers
  parameter integer            LW       = 1,   // layer index width, clog2(NL) (at least 1)
  parameter integer            NPH      = 6,   // phases of one SGD step
  parameter integer            NFWD     = 2,   // the first NFWD phases: one inference
  parameter integer            PH_W     = LW + `TAXONN_NET_CMD_W,
  // phase i at [i * PH_W +: PH_W] = {layer, command}
  parameter [NPH*PH_W-1:0]     PH_TABLE = {NPH*PH_W{1'b0}},
  parameter integer            CNT_W    = 32,
  parameter integer            SW       = 3    // counter select width: clog2(NPH + 1)
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
  input  wire [NL-1:0]                layer_busy_i,
  input  wire [SW-1:0]                cnt_sel_i,  // 0..NPH-1: a phase; NPH: the total
  output wire [CNT_W-1:0]             cnt_o
);

  localparam integer CmdW = `TAXONN_NET_CMD_W;

  function automatic [LW-1:0] phase_layer(input [31:0] ph);
    phase_layer = PH_TABLE[ph * PH_W + CmdW +: LW];
  endfunction
  function automatic [CmdW-1:0] phase_cmd(input [31:0] ph);
    phase_cmd = PH_TABLE[ph * PH_W +: CmdW];
  endfunction

  reg             running_q, train_q, running_d, train_d;
  reg             drain_q, drain_d;  // every phase launched: waiting for the background UPDATEs
  reg [31:0]      ph_q, ph_d;
  reg [CNT_W-1:0] cnt_q [0:NPH];  // [NPH] is the total
  reg [31:0]      lph_q [0:NL-1];  // the phase each layer runs (counted while it is busy)

  wire [LW-1:0] cur_layer  = phase_layer(ph_q);
  wire          cur_bg     = phase_cmd(ph_q) == `TAXONN_NET_CMD_UPDATE;
  // The current phase lets the next one go: an UPDATE in its first cycle, any
  // other phase when its layer is done.
  wire          cur_done   = running_q & !drain_q & (cur_bg | layer_done_i[cur_layer]);
  wire [31:0]   last_ph    = train_q ? NPH - 1 : NFWD - 1;
  wire          launched   = drain_q | (cur_done & (ph_q == last_ph));
  wire          idle_after = &(~layer_busy_i | layer_done_i);  // no layer busy after this cycle
  wire          finish     = running_q & launched & idle_after;
  // The phase launched this cycle: the first on start, the next when one ends.
  wire          launch     = (!running_q & start_i) | (cur_done & (ph_q != last_ph));
  wire [31:0]   next_ph    = running_q ? ph_q + 32'd1 : 32'd0;
  // past the table (the cycle a run ends) the index is kept in range
  wire [31:0]   next_safe  = (next_ph < NPH) ? next_ph : 32'd0;
  wire [LW-1:0] next_layer = phase_layer(next_safe);

  genvar l;
  generate
    for (l = 0; l < NL; l = l + 1) begin : gen_start
      assign layer_start_o[l] = launch & (next_layer == l[LW-1:0]);
    end
  endgenerate
  assign cmd_o = phase_cmd(next_safe);

  // Next state: a start while idle runs phase 0; each phase's done launches
  // the next; after the last, the run waits for the layers to be idle.
  always @(*) begin
    running_d = running_q;
    train_d   = train_q;
    drain_d   = drain_q;
    ph_d      = ph_q;
    if (!running_q) begin
      if (start_i) begin
        running_d = 1'b1;
        train_d   = train_i;
        drain_d   = 1'b0;
        ph_d      = 32'd0;
      end
    end else if (finish) begin
      running_d = 1'b0;
      drain_d   = 1'b0;
    end else if (launched) begin
      drain_d = 1'b1;
    end else if (cur_done) begin
      ph_d = next_ph;
    end
  end

  // The cycle counters: cleared by a start; a phase's counts while its
  // layer runs it, the total while running.
  wire cnt_clear = !running_q & start_i;
  integer i, k;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      running_q <= 1'b0;
      train_q   <= 1'b0;
      drain_q   <= 1'b0;
      ph_q      <= 32'd0;
      for (i = 0; i <= NPH; i = i + 1) cnt_q[i] <= {CNT_W{1'b0}};
      for (k = 0; k < NL; k = k + 1) lph_q[k] <= 32'd0;
    end else begin
      running_q <= running_d;
      train_q   <= train_d;
      drain_q   <= drain_d;
      ph_q      <= ph_d;
      for (k = 0; k < NL; k = k + 1) begin
        if (layer_start_o[k]) lph_q[k] <= next_safe;
      end
      if (cnt_clear) begin
        for (i = 0; i <= NPH; i = i + 1) cnt_q[i] <= {CNT_W{1'b0}};
      end else if (running_q) begin
        for (k = 0; k < NL; k = k + 1) begin
          if (layer_busy_i[k]) cnt_q[lph_q[k]] <= cnt_q[lph_q[k]] + {{(CNT_W-1){1'b0}}, 1'b1};
        end
        cnt_q[NPH] <= cnt_q[NPH] + {{(CNT_W-1){1'b0}}, 1'b1};
      end
    end
  end

  assign busy_o = running_q;
  assign done_o = finish;
  assign cnt_o  = ({{(32-SW){1'b0}}, cnt_sel_i} <= NPH) ? cnt_q[cnt_sel_i] : {CNT_W{1'b0}};

endmodule
