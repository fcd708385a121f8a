// taxonn_acc: the PE's accumulator, 2W + GUARD bits so that no legal sum
// wraps before requantization (CONTRACT 2), with MUX3 in front of its adder:
// hold, load the product, add the product, or add it to base_i (the weight
// aligned to 2F fractional bits: the fused update W*2^F - alpha*D). The
// baseline PE has no MUX3 (HAS_BASE = 0): there that op holds.
// Golden twin: taxonn::acc.
`include "taxonn_defs.vh"

module taxonn_acc #(
  parameter integer ACC_W    = 37,
  parameter integer P_W      = 32,
  parameter integer HAS_BASE = 1
) (
  input  wire                      clk_i,
  input  wire                      rst_ni,
  input  wire [`TAXONN_ACC_OP_W-1:0] op_i,
  input  wire signed [P_W-1:0]     prod_i,
  input  wire signed [ACC_W-1:0]   base_i,
  output wire signed [ACC_W-1:0]   acc_o
);

  reg  signed [ACC_W-1:0] acc_q;
  reg  signed [ACC_W-1:0] acc_d;
  // Sign extension as a shift: the same wires, and Verilator evaluates the
  // shift in a few operations where the replication costs about ten; this
  // runs in every PE every cycle (docs/sim.md, "Simulation speed").
  wire signed [ACC_W-1:0] prod_ext = $signed({prod_i, {(ACC_W-P_W){1'b0}}}) >>> (ACC_W - P_W);

  generate
    if (HAS_BASE != 0) begin : gen_base
      always @(*) begin
        case (op_i)
          `TAXONN_ACC_LOAD: acc_d = prod_ext;
          `TAXONN_ACC_ADD:  acc_d = acc_q + prod_ext;
          `TAXONN_ACC_BASE: acc_d = base_i + prod_ext;
          default:          acc_d = acc_q;
        endcase
      end
    end else begin : gen_no_base
      always @(*) begin
        case (op_i)
          `TAXONN_ACC_LOAD: acc_d = prod_ext;
          `TAXONN_ACC_ADD:  acc_d = acc_q + prod_ext;
          default:          acc_d = acc_q;
        endcase
      end
      wire unused_base = ^base_i;
    end
  endgenerate

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q <= {ACC_W{1'b0}};
    end else begin
      acc_q <= acc_d;
    end
  end

  assign acc_o = acc_q;

endmodule
