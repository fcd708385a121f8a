// taxonn_spad: the PE's local scratchpad for weights (CONTRACT 5): DEPTH
// words of W bits, one combinational read port and one write port, so the
// TaxoNN update can read weight k while writing back weight k - 1.
// An address past DEPTH reads 0 and writes nothing. GATE 1 puts each word on
// a clock of its own that pulses only in the cycles the word is written
// (taxonn_clock_gate, CONTRACT 5 "Clock gating"): an idle word's flip-flops
// see no clock edge and need no hold multiplexer. Their D pins then see
// every transition of the write data, which the PE zeroes between writes
// (operand isolation): gated, the words take it from a bus per bank of 32
// words that keeps the last value written to the bank, so a write moves the
// D pins of its bank alone, since each D-pin transition costs flip-flop
// internal power (docs/power.md, "Clock gating"). Golden twin: taxonn::Spad
// (the scratchpad of taxonn::PeBase); the values are the same either way.
`include "taxonn_defs.vh"

module taxonn_spad #(
  parameter integer W     = 16,
  parameter integer DEPTH = 16,
  parameter integer AW    = 4,
  parameter integer GATE  = 0
) (
  input  wire          clk_i,
  input  wire [AW-1:0] rd_addr_i,
  output wire [W-1:0]  rd_data_o,
  input  wire          we_i,
  input  wire [AW-1:0] wr_addr_i,
  input  wire [W-1:0]  wr_data_i
);

  generate
    if (GATE != 0) begin : gen_gated
      // A register per word (a clock each), read through a net array.
      wire [31:0]  wr_addr_ext = {{(32-AW){1'b0}}, wr_addr_i};
      wire [W-1:0] words [0:DEPTH-1];

      // The words' write bus holds the last written value between writes,
      // one bus per bank of BankWords words with a held register of its
      // own that loads only with a write to its bank: a write then moves
      // the D pins of its bank alone (a flip-flop's D pin costs internal
      // power at every transition, clocked or not), and the write data
      // fans out to the banks, not to every word. No reset: no word is
      // clocked before the first write to its bank, which drives the bank's
      // bus from wr_data_i.
      localparam integer BankWords = 32;
      localparam integer Banks     = (DEPTH + BankWords - 1) / BankWords;
      wire [W-1:0] bank_bus [0:Banks-1];
      genvar b;
      for (b = 0; b < Banks; b = b + 1) begin : gen_bank
        wire         bank_we = we_i && (wr_addr_ext / BankWords == b);
        wire         hold_gclk;
        reg  [W-1:0] hold_q;
        taxonn_clock_gate u_hold_cg (
          .clk_i (clk_i),
          .en_i  (bank_we),
          .gclk_o(hold_gclk)
        );
        always @(posedge hold_gclk) begin
          hold_q <= wr_data_i;
        end
        assign bank_bus[b] = bank_we ? wr_data_i : hold_q;
      end
      genvar k;
      for (k = 0; k < DEPTH; k = k + 1) begin : gen_word
        wire         gclk;
        reg  [W-1:0] word_q;
        taxonn_clock_gate u_cg (
          .clk_i (clk_i),
          .en_i  (we_i && (wr_addr_ext == k)),
          .gclk_o(gclk)
        );
        always @(posedge gclk) begin
          word_q <= bank_bus[k / BankWords];
        end
        assign words[k] = word_q;
      end
      if (DEPTH == (1 << AW)) begin : gen_full
        assign rd_data_o = words[rd_addr_i];
      end else begin : gen_partial
        wire [31:0] rd_addr_ext = {{(32-AW){1'b0}}, rd_addr_i};
        wire        in_range    = rd_addr_ext < DEPTH;
        assign rd_data_o = in_range ? words[rd_addr_i] : {W{1'b0}};
      end
    end else begin : gen_enabled
      // No reset: a memory is loaded before use, and reset flops cost area.
      // mem2reg: Yosys keeps the words as flops with their own write
      // enables, smaller and faster (Nangate45) than the same words mapped
      // from a $mem.
      (* mem2reg *) reg [W-1:0] mem_q [0:DEPTH-1];

      // A write past DEPTH changes nothing (Verilog ignores out-of-range
      // array writes; Yosys maps only the DEPTH words).
      always @(posedge clk_i) begin
        if (we_i) begin
          mem_q[wr_addr_i] <= wr_data_i;
        end
      end

      if (DEPTH == (1 << AW)) begin : gen_full
        assign rd_data_o = mem_q[rd_addr_i];
      end else begin : gen_partial
        wire [31:0] rd_addr_ext = {{(32-AW){1'b0}}, rd_addr_i};
        wire        in_range    = rd_addr_ext < DEPTH;
        assign rd_data_o = in_range ? mem_q[rd_addr_i] : {W{1'b0}};
      end
    end
  endgenerate

endmodule
