// taxonn_xbuf: a layer's input (X) buffer (CONTRACT 5; docs/network.md):
// N words of W bits, one write port and NRD combinational read ports (packed,
// port r at bits r*IW / r*W). An index past N reads 0 and writes nothing.
// With DB = 1 (the network's first layer) it holds two buffers: writes go to
// the one the reads do not see, and swap_i (each run's start) exchanges
// them, so the host loads the next sample while a run reads this one.
// Golden twin: taxonn::XBuf.
`include "taxonn_defs.vh"

module taxonn_xbuf #(
  parameter integer W   = 16,
  parameter integer N   = 16,
  parameter integer IW  = 4,
  parameter integer NRD = 1,
  parameter integer DB  = 0
) (
  input  wire               clk_i,
  input  wire               rst_ni,
  input  wire               swap_i,
  input  wire               we_i,
  input  wire [IW-1:0]      wr_idx_i,
  input  wire [W-1:0]       wr_data_i,
  input  wire [NRD*IW-1:0]  rd_idx_i,
  output wire [NRD*W-1:0]   rd_data_o
);

  localparam [31:0] N32 = N;

  // No reset on the words: a buffer is written before it is read.
  reg [W-1:0] buf0_q [0:N-1];
  wire        wr_in = {{(32-IW){1'b0}}, wr_idx_i} < N32;
  // Each read port's word in the buffer the reads see, before the range check.
  wire [NRD*W-1:0] rd_word;

  genvar r;
  generate
    if (DB != 0) begin : gen_double
      // sel_q: the buffer reads see; writes go to the other.
      reg         sel_q;
      reg [W-1:0] buf1_q [0:N-1];
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          sel_q <= 1'b0;
        end else if (swap_i) begin
          sel_q <= ~sel_q;
        end
      end
      always @(posedge clk_i) begin
        if (we_i && wr_in && sel_q) begin
          buf0_q[wr_idx_i] <= wr_data_i;
        end
        if (we_i && wr_in && !sel_q) begin
          buf1_q[wr_idx_i] <= wr_data_i;
        end
      end
      for (r = 0; r < NRD; r = r + 1) begin : gen_rd
        assign rd_word[r*W +: W] = sel_q ? buf1_q[rd_idx_i[r*IW +: IW]] : buf0_q[rd_idx_i[r*IW +: IW]];
      end
    end else begin : gen_single
      always @(posedge clk_i) begin
        if (we_i && wr_in) begin
          buf0_q[wr_idx_i] <= wr_data_i;
        end
      end
      for (r = 0; r < NRD; r = r + 1) begin : gen_rd
        assign rd_word[r*W +: W] = buf0_q[rd_idx_i[r*IW +: IW]];
      end
      wire unused_single = ^{swap_i, rst_ni};
    end
    // An index past N reads 0.
    for (r = 0; r < NRD; r = r + 1) begin : gen_rd_range
      wire in_ok = {{(32-IW){1'b0}}, rd_idx_i[r*IW +: IW]} < N32;
      assign rd_data_o[r*W +: W] = in_ok ? rd_word[r*W +: W] : {W{1'b0}};
    end
  endgenerate

endmodule
