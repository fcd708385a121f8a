// taxonn_reg_en: a W-bit register, reset to 0 asynchronously, that loads d_i
// at the rising edges where en_i is 1: the PEs' forwarding, sum and G
// registers. GATE 0: a hold multiplexer keeps the value in the other
// cycles. GATE 1 (config clock_gating, CONTRACT 5 "Clock gating"): the
// clock goes through taxonn_clock_gate, so the register sees an edge only
// when it loads and needs no multiplexer. Golden twin: an enabled register
// of taxonn::Pe / taxonn::PeBase (x_fwd, sum, G).

module taxonn_reg_en #(
  parameter integer W    = 16,
  parameter integer GATE = 0
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire         en_i,
  input  wire [W-1:0] d_i,
  output wire [W-1:0] q_o
);

  reg [W-1:0] q_q;
  generate
    if (GATE != 0) begin : gen_gated
      wire gclk;
      taxonn_clock_gate u_cg (
        .clk_i (clk_i),
        .en_i  (en_i),
        .gclk_o(gclk)
      );
      always @(posedge gclk or negedge rst_ni) begin
        if (!rst_ni) begin
          q_q <= {W{1'b0}};
        end else begin
          q_q <= d_i;
        end
      end
    end else begin : gen_enabled
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          q_q <= {W{1'b0}};
        end else if (en_i) begin
          q_q <= d_i;
        end
      end
    end
  endgenerate
  assign q_o = q_q;

endmodule
