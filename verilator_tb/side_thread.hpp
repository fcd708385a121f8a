// SideThread: one long-lived worker that runs one task at a time beside the
// caller. tb_net runs the golden model's SGD step on it while the RTL
// simulates the same sample (docs/sim.md): the thread is made once per run,
// not once per step as std::async would.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace taxonn::tb {

class SideThread {
 public:
  // A started task. wait() returns when it has ended (rethrowing what it
  // threw); if the caller unwinds first, the destructor still waits, so the
  // task never outlives the locals it references.
  class Pending {
   public:
    explicit Pending(SideThread* s) : s_(s) {}
    Pending(const Pending&) = delete;
    Pending& operator=(const Pending&) = delete;
    ~Pending() {
      if (s_ != nullptr) s_->finish();
    }
    void wait() {
      SideThread* s = s_;
      s_ = nullptr;
      if (const std::exception_ptr e = s->finish()) std::rethrow_exception(e);
    }

   private:
    SideThread* s_;
  };

  SideThread() : thread_([this] { loop(); }) {}
  ~SideThread() {
    {
      const std::lock_guard<std::mutex> lock(m_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  SideThread(const SideThread&) = delete;
  SideThread& operator=(const SideThread&) = delete;

  // One task at a time: the last one's Pending has ended before this.
  [[nodiscard]] Pending start(std::function<void()> task) {
    {
      const std::lock_guard<std::mutex> lock(m_);
      task_ = std::move(task);
      queued_ = true;
      done_ = false;
      error_ = nullptr;
    }
    cv_.notify_all();
    return Pending(this);
  }

 private:
  std::exception_ptr finish() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [this] { return done_; });
    return error_;
  }
  void loop() {
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      cv_.wait(lock, [this] { return queued_ || quit_; });
      if (!queued_) return;
      std::function<void()> task = std::move(task_);
      queued_ = false;
      lock.unlock();
      std::exception_ptr error;
      try {
        task();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      error_ = error;
      done_ = true;
      cv_.notify_all();
    }
  }

  std::mutex m_;
  std::condition_variable cv_;
  std::function<void()> task_;
  bool queued_ = false, done_ = true, quit_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: the members above exist before it runs
};

}  // namespace taxonn::tb
