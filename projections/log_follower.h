// The embedded feed: follows the event log in this process, right after each commit
// (EventLog::wait_for_commit_after), and feeds the projectors in batches.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "event_log.h"
#include "feed.h"
#include "projector_group.h"

namespace turno::projections {

struct FollowerOptions {
  std::size_t batch_events_max = 1024;       // events per offer (and per exclusive lock)
  std::chrono::milliseconds idle_wait{200};  // longest wait for a commit (stop latency)
  std::chrono::milliseconds error_backoff{500};
};

// Reads records [from, from + count) (capped at the tail) and appends their envelopes.
Status read_envelopes(const EventLog& log, Seq from, std::size_t count,
                      std::vector<v1::Envelope>& out);

class LogFollower final : public Feed {
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
  void run();
  void set_error(Status status);

  const EventLog& log_;
  ProjectorGroup& group_;
  Progress& progress_;
  FollowerOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex error_mutex_;  // guards error_
  Status error_;
  std::thread thread_;
};

}  // namespace turno::projections
