// The query node's feed: a durable JetStream pull consumer on TURNO_EVENTS that brings events
// to the projectors, in seq order, each once.
//
// Contract.
//  * Messages are applied in seq order; one at or below a view's seq is skipped (a repeat), and
//    one past the next expected seq is a gap: before anything past it is applied, the missing
//    range is read from the command node over NATS request/reply (nats_log_server.h). A batch
//    is acknowledged (AckAll, its last message) only after it was applied.
//  * When NATS goes away the feed keeps its views as they are and reconnects every
//    retry_wait; the durable consumer remembers where it was. A node restarted from older
//    snapshots than its consumer's position fills the difference the same way, as a gap.
//  * Several logs (one per shard) share the stream; each has its own seqs and hash chain. The
//    feed tells them apart by the log id of each message's Nats-Msg-Id and keeps order, gaps
//    and gap reads per log; each log's events go to that log's views (LogGroups). Order across
//    logs does not matter: their tenants are disjoint.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "feed.h"
#include "projector_group.h"

namespace turno::projections {

// Where the feed puts each log's events: that log's views.
class LogGroups {
 public:
  virtual ~LogGroups() = default;
  // The views of log `log_id` (opened when first seen); an error fails the batch, which is
  // fetched again after retry_wait.
  virtual Result<ProjectorGroup*> group_for_log(const std::string& log_id) = 0;
};

struct NatsFeedOptions {
  std::string url;                                   // nats://host:port
  std::string durable = "turno-query";               // the consumer's name: one per query node
  std::size_t fetch_batch_max = 1024;                // messages per fetch (and per acknowledgement)
  std::chrono::milliseconds fetch_wait{500};         // longest wait for messages (stop latency)
  std::chrono::milliseconds retry_wait{500};         // after a failure, before trying again
  std::chrono::milliseconds request_timeout{5'000};  // one log read from the command node
  int stream_replicas = 1;  // copies of TURNO_EVENTS when this node creates it (3 in a cluster)
};

class NatsFeed final : public Feed {
 public:
  // Starts the feed's thread; it connects (and reconnects) on its own. Each log's events go to
  // groups.group_for_log(log id).
  NatsFeed(LogGroups& groups, Progress& progress, NatsFeedOptions options);
  // One log only: `group` takes the first log seen; a message of another log is an error (a
  // query node of several shards uses LogViews, log_views.h).
  NatsFeed(ProjectorGroup& group, Progress& progress, NatsFeedOptions options);
  ~NatsFeed() override { stop(); }

  void stop() override;
  // The newest seq seen of any log; per log below.
  Seq head_seq() const override { return Seq{head_seq_.load()}; }
  Seq head_seq(const std::string& log_id) const;
  Status last_error() const override;
  std::string_view kind() const override { return "nats"; }
  std::uint64_t gaps_filled() const override { return gaps_filled_.load(); }
  std::uint64_t events_fetched_from_log() const { return events_from_log_.load(); }

 private:
  struct Session;
  struct Log {
    ProjectorGroup* group = nullptr;
    Seq head;
  };
  void run();
  Status open_session(Session& session);
  Status consume(Session& session);
  // The log's state, its views opened on first sight.
  Result<Log*> log(const std::string& log_id);
  // Applies one log's share of a fetched batch, in seq order, filling gaps from its log server.
  Status apply(Session& session, ProjectorGroup& group, std::vector<v1::Envelope>& events,
               const std::string& log_id);
  Status fill_gap(Session& session, ProjectorGroup& group, const std::string& log_id, Seq up_to);
  // Checkpoints every log's views that are due; the first error.
  Status checkpoint(bool quiet, bool force = false);
  void set_error(Status status);

  std::unique_ptr<LogGroups> single_log_;  // set by the one-group constructor
  LogGroups& groups_;
  std::map<std::string, Log> logs_;  // the feed thread's; guarded by logs_mutex_ for readers
  mutable std::mutex logs_mutex_;
  Progress& progress_;
  NatsFeedOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> head_seq_{0};
  std::atomic<std::uint64_t> gaps_filled_{0};
  std::atomic<std::uint64_t> events_from_log_{0};
  mutable std::mutex error_mutex_;  // guards error_
  Status error_;
  std::thread thread_;
};

}  // namespace turno::projections
