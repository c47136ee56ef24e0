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
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "feed.h"
#include "projector_group.h"

namespace turno::projections {

struct NatsFeedOptions {
  std::string url;                          // nats://host:port
  std::string durable = "turno-query";      // the consumer's name: one per query node
  std::size_t fetch_batch_max = 1024;       // messages per fetch (and per acknowledgement)
  std::chrono::milliseconds fetch_wait{500};    // longest wait for messages (stop latency)
  std::chrono::milliseconds retry_wait{500};    // after a failure, before trying again
  std::chrono::milliseconds request_timeout{5'000};  // one log read from the command node
};

class NatsFeed final : public Feed {
 public:
  // Starts the feed's thread; it connects (and reconnects) on its own.
  NatsFeed(ProjectorGroup& group, Progress& progress, NatsFeedOptions options);
  ~NatsFeed() override { stop(); }

  void stop() override;
  Seq head_seq() const override { return Seq{head_seq_.load()}; }
  Status last_error() const override;
  std::string_view kind() const override { return "nats"; }
  std::uint64_t gaps_filled() const override { return gaps_filled_.load(); }
  std::uint64_t events_fetched_from_log() const { return events_from_log_.load(); }

 private:
  struct Session;
  void run();
  Status open_session(Session& session);
  Status consume(Session& session);
  // Applies `events` (one fetched batch, in order), filling gaps from the command node.
  Status apply(Session& session, std::vector<v1::Envelope>& events, const std::string& log_id);
  Status fill_gap(Session& session, const std::string& log_id, Seq up_to);
  void set_error(Status status);

  ProjectorGroup& group_;
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
