// taxonn_fold_sum: step 1's exact sums across the passes of a folded layer
// (CONTRACT 3; docs/network.md). Each pass gives a partial sum per input
// position; the passes before the last wait here, exact, and the last pass's
// sum leaves with them added. Unfolded (T = 1), sums pass straight through.
// Shared by taxonn_fc_layer and taxonn_conv_layer.
// Golden twin: the exact sums of Network::fc_input_grad / conv_input_grad.
`include "taxonn_defs.vh"

module taxonn_fold_sum #(
  parameter integer SUM_W = 41,  // the exact sum
  parameter integer N     = 16,  // input positions
  parameter integer IW    = 4,   // clog2(N), at least 1
  parameter integer T     = 2    // passes
) (
  input  wire                    clk_i,
  input  wire                    valid_i,  // a pass's sum for position idx_i
  input  wire                    first_i,  // ... of the first pass
  input  wire                    last_i,   // ... of the last pass
  input  wire [IW-1:0]           idx_i,
  input  wire signed [SUM_W-1:0] sum_i,
  output wire                    valid_o,  // the whole sum of position idx_i
  output wire signed [SUM_W-1:0] sum_o
);

  generate
    if (T > 1) begin : gen_fold
      reg signed [SUM_W-1:0] psum_q [0:N-1];
      always @(posedge clk_i) begin
        if (valid_i && !last_i) begin
          psum_q[idx_i] <= first_i ? sum_i : psum_q[idx_i] + sum_i;
        end
      end
      assign sum_o   = psum_q[idx_i] + sum_i;
      assign valid_o = valid_i & last_i;
    end else begin : gen_direct
      assign sum_o   = sum_i;
      assign valid_o = valid_i;
      wire unused_pass = ^{clk_i, first_i, last_i, idx_i};
    end
  endgenerate

endmodule
