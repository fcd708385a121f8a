// Golden twins of the two PEs (CONTRACT sections 3-5): taxonn::PeBase is
// taxonn_pe_base.v (inference only, Eyeriss-like) and taxonn::Pe is
// taxonn_pe.v (TaxoNN: the same datapath plus three muxes, the training
// registers and the activation-derivative unit). Both are cycle-accurate:
// step() is one rising clock edge under one control word.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.hpp"
#include "primitives.hpp"

namespace taxonn {

// The PE control word. Each enum is a mux select or an opcode of the RTL; the
// generator emits these encodings into taxonn_defs.vh so they exist once.
enum class MulA : int { kXIn = 0, kNegAlpha = 1, kSum = 2, kDerivA = 3 };  // MUX1
// MUX2; kSum is the sum register, which holds D[k] in steps 3-5 (R1 is dead by then).
enum class MulB : int { kSpad = 0, kWIn = 1, kG = 2, kSum = 3, kDerivB = 4 };
enum class AccOp : int { kHold = 0, kLoad = 1, kAdd = 2, kSpad = 3 };  // MUX3: acc base
// kSum: z, then R1, then D[k] in steps 3-5.
enum class Dst : int { kNone = 0, kSum = 1, kFd = 2, kG = 3, kSpad = 4, kLoad = 5 };
constexpr int kMulASelBits = 2;
constexpr int kMulBSelBits = 3;
constexpr int kAccOpBits = 2;
constexpr int kDstBits = 3;

// taxonn_acc: the next accumulator value (2W + G bits, CONTRACT 2). Legal
// schedules never exceed the guard bits; past them the register wraps, which
// wrap() models explicitly. Without MUX3 (has_base false) kSpad holds.
Wide acc_next(AccOp op, Wide acc_q, Wide prod, Wide base, int acc_width, bool has_base);

// taxonn_spad: the PE's scratchpad. An address past the depth reads 0 and
// writes nothing; words are W bits (a write wraps to W, as the RAM does).
class Spad {
 public:
  Spad(int depth, int width) : mem_(static_cast<std::size_t>(depth), 0), width_(width) {}
  Wide read(int addr) const;
  void write(int addr, Wide v);
  int depth() const { return static_cast<int>(mem_.size()); }

 private:
  std::vector<Wide> mem_;
  int width_;
};

// taxonn_spad_sram: the scratchpad as a single-port SRAM with a synchronous
// read (config memory: sram). clock() is one clock edge with the cycle's
// port inputs: rd_en / rd_addr the word the next cycle reads, we / wr_addr /
// wd this cycle's write. The port serves a write held from the last cycle
// first, then the read (the new write waits a cycle), then the write; data()
// is the last read word (0 past the depth).
class SpadSram {
 public:
  SpadSram(int depth, int width) : mem_(depth, width) {}
  Wide data() const { return rd_ok_ ? rd_ : 0; }
  void clock(bool rd_en, int rd_addr, bool we, int wr_addr, Wide wd);
  Wide peek(int addr) const { return mem_.read(addr); }

 private:
  Spad mem_;
  bool pend_ = false;
  int pend_addr_ = 0;
  Wide pend_data_ = 0;
  Wide rd_ = 0;
  bool rd_ok_ = false;
};

// taxonn_xbuf: a layer's input buffer, N words; an index past N reads 0 and
// writes nothing. Double (the network's first layer): writes go to the
// buffer reads do not see, and swap() (each run's start, after that edge's
// write) exchanges them.
class XBuf {
 public:
  XBuf(int n, int width, bool dbl) : a_(n, width), b_(n, width), dbl_(dbl) {}
  Wide read(int i) const { return dbl_ && sel_ ? b_.read(i) : a_.read(i); }
  void write(int i, Wide v) { (dbl_ && !sel_ ? b_ : a_).write(i, v); }
  void swap() { sel_ = dbl_ && !sel_; }

 private:
  Spad a_, b_;
  bool dbl_;
  bool sel_ = false;  // the buffer reads see
};

// taxonn_bank: a conv layer's register file (CONTRACT 5, the conv layer's
// banks), DEPTH words of W bits, one write port and any number of read
// ports. The RTL has no range check (a layer's addresses are its own, always
// below DEPTH), so an address past it is the caller's bug: std::out_of_range.
class Bank {
 public:
  Bank(int depth, int width) : mem_(depth, width) {}
  Wide read(int addr) const { return mem_.read(checked(addr)); }
  void write(int addr, Wide v) { mem_.write(checked(addr), v); }
  int depth() const { return mem_.depth(); }

 private:
  int checked(int addr) const;
  Spad mem_;
};

// taxonn_host_buf: a layer's output buffer only the host reads (CONTRACT 5,
// "Output buffers"), DEPTH words of W bits. clock() is one clock edge with
// the cycle's inputs. Flip-flops: read(addr) is the word at addr now (an
// address past the depth is the caller's bug, as for Bank). SRAM: the port
// writes when `we`, otherwise reads rd_addr (past the depth: nothing), and
// read() is the last read's word whatever the address.
class HostBuf {
 public:
  HostBuf(int depth, int width, Memory mem) : b_(depth, width), sram_(mem == Memory::kSram) {}
  Wide read(int addr) const { return sram_ ? rd_ : b_.read(addr); }
  void clock(bool we, int wr_addr, Wide wd, int rd_addr);

 private:
  Bank b_;
  bool sram_;
  Wide rd_ = 0;  // the SRAM's read register (0 before the first read, as Verilator starts it)
};

struct PeCtrl {
  MulA mul_a = MulA::kXIn;
  MulB mul_b = MulB::kSpad;
  AccOp acc = AccOp::kHold;
  Dst dst = Dst::kNone;
  bool fwd = false;  // capture x_i into the forwarding register
  int rd_addr = 0;  // memory sram: the word the next cycle reads
  int wr_addr = 0;
  bool rd_en = false;  // memory sram: the next cycle reads rd_addr
};

struct PeIn {
  Wide x = 0;          // forward input X, G_{i+1}[k] in step 1, X_i[k] in step 3
  Wide w = 0;          // W_{i+1}[k,j] in step 1, the word to load otherwise
  Wide neg_alpha = 0;  // -alpha in Q(I,F), from the layer's alpha register
};

// Every value the RTL exposes, registered except spad_rd (a read at rd_addr).
// f' has no register of its own: it waits in G until step 2 replaces it.
struct PeOut {
  Wide x_fwd = 0, sum = 0, spad_rd = 0, acc = 0, g = 0;
  std::uint64_t sat_cnt = 0;
};

class PeBase {
 public:
  explicit PeBase(const PeParams& p);
  PeOut outputs(const PeCtrl& c, const PeIn& in) const;
  void step(const PeCtrl& c, const PeIn& in);
  const PeParams& params() const { return p_; }
  Wide spad(int i) const { return sram_ ? sram_spad_.peek(i) : spad_.read(i); }

 protected:
  // The shared rounder (taxonn_rounder): rq(acc_q), then count its use.
  SatResult round_acc(int post_shift) const { return rounder_.round(acc_, post_shift); }
  void use_rounder(bool saturated);
  // The scratchpad's read data this cycle, and its clock edge with this
  // cycle's write (`we`: the word v at c.wr_addr).
  Wide spad_rd(const PeCtrl& c) const { return sram_ ? sram_spad_.data() : spad_.read(c.rd_addr); }
  void spad_clock(const PeCtrl& c, bool we, Wide v);
  PeParams p_;
  bool sram_;
  Spad spad_;
  SpadSram sram_spad_;
  Wide x_fwd_ = 0, acc_ = 0, sum_ = 0;
  SatCounter sat_cnt_;
  Rounder rounder_;
};

class Pe : public PeBase {
 public:
  explicit Pe(const PeParams& p) : PeBase(p) {}
  PeOut outputs(const PeCtrl& c, const PeIn& in) const;
  void step(const PeCtrl& c, const PeIn& in);

 private:
  Wide mul_a(const PeCtrl& c, const PeIn& in) const;
  Wide mul_b(const PeCtrl& c, const PeIn& in) const;
  Wide g_ = 0;
};

// One cycle of a schedule: the control word and the data on the PE's inputs.
struct PeCycle {
  PeCtrl ctrl;
  PeIn in;
  const char* phase = "";
};

// The data of one neuron's SGD step at PE level (CONTRACT 3).
struct NeuronData {
  std::vector<Wide> w;       // W_i[j, 0..K-1], this PE's weights
  std::vector<Wide> x;       // X_i[0..K-1]
  std::vector<Wide> g_next;  // G_{i+1}[0..N-1]
  std::vector<Wide> w_next;  // W_{i+1}[0..N-1, j]
};

// Cycles of each phase of one SGD step on one PE (CONTRACT 4).
struct PeCycles {
  int load = 0, forward = 0, deriv = 0, backprop = 0, grad = 0, update = 0;
  int train() const { return forward + deriv + backprop + grad + update; }
};
PeCycles pe_cycle_model(const PeParams& p, int k, int n);

// Load the weights; one inference (forward: K MACs, then z = rq(acc)); one
// SGD step (forward, derivative, steps 1-5).
std::vector<PeCycle> pe_load_schedule(const PeParams& p, const std::vector<Wide>& w);
std::vector<PeCycle> pe_forward_schedule(const PeParams& p, const std::vector<Wide>& x);
std::vector<PeCycle> pe_train_schedule(const PeParams& p, const NeuronData& d);
// A schedule for SRAM scratchpads (CONTRACT 4): each cycle gives the next
// cycle's read (rd_en, rd_addr), a no-op goes first when the first cycle
// reads, one goes in wherever a held write would take the port from a read
// (after a burst of loads) or a read would beat the write of its own word
// (K = 1), and one goes last when a write is still held.
std::vector<PeCycle> sram_schedule(const std::vector<PeCycle>& v);

// The algorithmic reference for one neuron (CONTRACT 3, written as maths, not
// as cycles); stochastic draws are taken in the order the PE rounds.
struct NeuronResult {
  Wide z = 0, fd = 0, r1 = 0, g = 0;
  std::vector<Wide> d, w_new;
  std::uint64_t saturations = 0;
};
NeuronResult neuron_sgd_step(const PeParams& p, const NeuronData& d);

std::string to_string(const PeCtrl& c);

}  // namespace taxonn
