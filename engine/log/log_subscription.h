// Following the committed log: the one loop of every reader that keeps up with it — the
// views' follower, the NATS publisher, the model snapshotter.
//
// A subscriber owns its position (the last seq it applied: each has its own notion of it) and
// says what to do with a batch; the subscription owns the loop: it reads the next bounded
// batch after that position into a reused buffer, waits for a commit when there is none,
// says when to checkpoint, hands read errors back as values and backs off, and stops.
//
//   follow():   turn after turn until stop():
//                 tail = log's committed tail            -> observe_tail(tail)
//                 tail <= applied()                      -> checkpoint(kIdle), wait <= idle_wait
//                 else read (applied, min(tail, until(), applied + batch_records_max)]
//                   read failed                          -> read_failed(error), back off
//                   else                                 -> apply(batch), checkpoint(kAfterBatch)
//   catch_up(): the same turns up to the tail as it is at the call, no waiting, stop ignored.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "event_log.h"

namespace turno {

// The far end of the log: "no cap" for LogSubscriber::until().
inline constexpr Seq kLogEnd{UINT64_MAX};

// Each caller fills these from its own options struct, where the values are named.
struct LogSubscriptionLimits {
  std::size_t batch_records_max = 0;           // records per batch (and per apply); at least 1
  std::chrono::milliseconds idle_wait{0};      // longest wait for a commit: bounds stop latency
  std::chrono::milliseconds error_backoff{0};  // pause after a failed read (stop cuts it short)
};

// The next records after the subscriber's applied seq, in seq order, never empty. They live
// in the subscription's buffer until the next read: use them, or move or swap parts out of
// them (a refill overwrites every field).
struct LogBatch {
  std::span<LogRecord> records;
  Seq tail;  // the log's committed tail when the batch was read; the batch may end before it
};

enum class Checkpoint {
  kIdle,        // caught up with the log: about to wait for a commit (again each idle_wait)
  kAfterBatch,  // a batch was applied
};

// What a follower of the log does; the subscription calls it from the thread that runs
// follow() or catch_up(), one call at a time.
class LogSubscriber {
 public:
  virtual ~LogSubscriber() = default;
  // The last seq applied: the next batch starts after it. Asked before every batch, so it may
  // also move on its own — back, too (a publisher whose stream lost messages).
  virtual Seq applied() const = 0;
  // The last seq the next batch may reach; must lie past applied(). kLogEnd: no cap.
  virtual Seq until() const { return kLogEnd; }
  // Every turn, first: the log's committed tail (for lag measurements).
  virtual void observe_tail(Seq /*tail*/) {}
  // Applies the batch; applied() should then have moved past it. An error ends follow() or
  // catch_up() with that error (the subscriber's own failure, e.g. a lost connection).
  [[nodiscard]] virtual Status apply(LogBatch batch) = 0;
  // Time to checkpoint, if the subscriber keeps one.
  virtual void checkpoint(Checkpoint when) = 0;
  // Reading the log failed (nothing of that batch was applied). follow() tries again after
  // error_backoff; catch_up() returns the error.
  virtual void read_failed(const Status& error) = 0;
};

// Owned by one subscriber's thread; stop() may be called from any thread.
class LogSubscription {
 public:
  // `log` must outlive the subscription.
  LogSubscription(const EventLog& log, LogSubscriptionLimits limits);
  LogSubscription(const LogSubscription&) = delete;
  LogSubscription& operator=(const LogSubscription&) = delete;

  // Follows the log for `subscriber` until stop() (then returns OK) or until apply() fails
  // (then returns its error). Stop latency: the batch in hand, or at most idle_wait while
  // waiting for a commit; a back-off ends at once.
  [[nodiscard]] Status follow(LogSubscriber& subscriber);
  // Applies everything committed up to the log's tail as it is now, in batches as follow()
  // (until(), checkpoint(kAfterBatch)), whether or not stop() was called — the last fold
  // before a shutdown. Never waits. Returns the first read or apply error; an error too when
  // an apply() leaves applied() where it was.
  [[nodiscard]] Status catch_up(LogSubscriber& subscriber);

  // Makes follow() return after the batch in hand and wakes wait_for_stop(). Idempotent.
  void stop();
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  // Waits up to `timeout` for stop(); returns whether it was called (a stoppable pause for
  // the subscriber's own retries).
  bool wait_for_stop(std::chrono::milliseconds timeout) const;

 private:
  // Reads (applied, min(tail, until, applied + batch_records_max)] into records_.
  Result<LogBatch> read_batch(Seq applied, Seq until, Seq tail);

  const EventLog& log_;
  const LogSubscriptionLimits limits_;
  std::vector<LogRecord> records_;  // the batch buffer: grows to batch_records_max, reused
  std::atomic<bool> stopping_{false};
  mutable std::mutex stop_mutex_;  // with stop_requested_, for wait_for_stop()
  mutable std::condition_variable stop_requested_;
};

}  // namespace turno
