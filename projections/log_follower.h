// The embedded feed: follows the event log in this process, right after each commit, through
// a LogSubscription (engine/log/log_subscription.h), and feeds the projectors in batches.
#pragma once

#include <mutex>
#include <thread>
#include <vector>

#include "event_log.h"
#include "feed.h"
#include "log_subscription.h"
#include "projector_group.h"

namespace turno::projections {

struct FollowerOptions {
  std::size_t batch_events_max = 1024;           // events per offer (and per exclusive lock)
  std::chrono::milliseconds idle_wait{200};      // longest wait for a commit (stop latency)
  std::chrono::milliseconds error_backoff{500};  // after a failed read of the log
};

// Reads records [from, from + count) (capped at the tail) and appends their envelopes.
Status read_envelopes(const EventLog& log, Seq from, std::size_t count,
                      std::vector<v1::Envelope>& out);

// Checkpoints the views when caught up (quiet) and after each batch, and every view (forced)
// when stopped.
class LogFollower final : public Feed, private LogSubscriber {
 public:
  // Starts following at once, from group.min_applied() + 1. `log` and `group` outlive this.
  LogFollower(const EventLog& log, ProjectorGroup& group, Progress& progress,
              FollowerOptions options = {});
  ~LogFollower() override { stop(); }

  void stop() override;
  Seq head_seq() const override { return log_.last_seq(); }
  Status last_error() const override;
  std::string_view kind() const override { return "log"; }

 private:
  // LogSubscriber, on the follower's thread.
  Seq applied() const override { return group_.min_applied(); }
  void observe_tail(Seq tail) override { group_.observe_head(tail); }
  Status apply(LogBatch batch) override;
  void checkpoint(Checkpoint when) override;
  void read_failed(const Status& error) override { set_error(error); }

  void set_error(Status status);

  const EventLog& log_;
  ProjectorGroup& group_;
  Progress& progress_;
  LogSubscription subscription_;
  std::vector<v1::Envelope> envelopes_;  // the batch as the projectors take it, reused
  mutable std::mutex error_mutex_;       // guards error_
  Status error_;
  std::thread thread_;
};

}  // namespace turno::projections
