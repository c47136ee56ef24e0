// A feed: the thread that brings committed events to a ProjectorGroup — straight from the log
// (log_follower.h, the embedded default) or from JetStream (nats_feed.h, a query node).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "status.h"
#include "types.h"

namespace turno::projections {

class Feed {
 public:
  virtual ~Feed() = default;
  // Stops the thread after the batch in hand and checkpoints every view. Idempotent.
  virtual void stop() = 0;
  // The newest seq the source is known to have (the log's tail; JetStream's newest message).
  virtual Seq head_seq() const = 0;
  // The last error met (cleared by the next success), for /readyz and logs.
  virtual Status last_error() const = 0;
  virtual std::string_view kind() const = 0;
  // Gaps found in the source and filled from the log (NATS only; 0 for the log itself).
  virtual std::uint64_t gaps_filled() const { return 0; }
};

// Lets callers wait until the views reach a seq (read-your-writes after a command).
class Progress {
 public:
  void advanced() {
    { std::lock_guard lock(mutex_); }
    changed_.notify_all();
  }
  // Waits until `reached()` holds or `timeout` passes; returns reached().
  bool wait_for(const std::function<bool()>& reached, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, reached);
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
};

}  // namespace turno::projections
