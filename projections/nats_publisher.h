// The JetStream publisher of the command node: a follower of the log, like any projector,
// that sends every committed event to stream TURNO_EVENTS (format: nats_format.h).
//
// Contract.
//  * It never blocks the writer: it only reads the log, after commits, on its own thread.
//  * It publishes in seq order, in batches of batch_events_max, and moves its checkpoint past
//    a batch only when JetStream acknowledged every message of it. The checkpoint is kept in
//    its own store (checkpoint_directory), so after a restart, or after NATS was away, it
//    resumes from there: messages published again carry the same Nats-Msg-Id, so JetStream
//    drops repeats within its dedup window, and query nodes skip any seq they already have.
//  * On (re)connecting it asks the stream for the newest message of this log; when NATS lost
//    acknowledged messages in a crash (NATS 2.9 acknowledges before fsync), that is below
//    the checkpoint, and it publishes again from there.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "event_log.h"
#include "log_subscription.h"
#include "snapshot_store.h"

namespace turno::projections {

struct NatsPublisherOptions {
  std::string url;                      // nats://host:port
  std::string checkpoint_directory;     // its own store; required
  std::size_t batch_events_max = 4096;  // published before waiting for their acks
  std::chrono::milliseconds ack_wait{5'000};
  std::chrono::milliseconds idle_wait{200};   // longest wait for a commit (stop latency)
  std::chrono::milliseconds retry_wait{500};  // after a failure: before reconnecting, or
                                              // before reading the log again
  std::chrono::milliseconds checkpoint_interval{1'000};
  int stream_replicas = 1;  // copies of TURNO_EVENTS when this node creates it (3 in a cluster)
};

class NatsPublisher {
 public:
  // Loads the checkpoint and starts the publishing thread (it connects on its own, and keeps
  // trying while NATS is away). Fails only when the checkpoint store cannot be opened.
  static Result<std::unique_ptr<NatsPublisher>> start(const EventLog& log,
                                                      NatsPublisherOptions options);
  ~NatsPublisher();
  NatsPublisher(const NatsPublisher&) = delete;
  NatsPublisher& operator=(const NatsPublisher&) = delete;

  // Stops after the batch in hand and persists the checkpoint. Idempotent.
  void stop();
  // Every event up to this seq is acknowledged by JetStream.
  Seq published_seq() const { return Seq{published_seq_.load()}; }
  std::uint64_t events_published() const { return events_published_.load(); }
  std::uint64_t reconnects() const { return reconnects_.load(); }
  bool connected() const { return connected_.load(); }
  Status last_error() const;
  // Prometheus text: published seq, lag behind the log, events, reconnects, connected.
  std::string metrics_text() const;

  // The batch's publish acknowledgement failed (called from a NATS library thread).
  void on_publish_failed(std::string reason);

 private:
  struct Session;
  NatsPublisher(const EventLog& log, NatsPublisherOptions options,
                std::unique_ptr<SnapshotStore> store);
  void run();
  Status publish_batch(Session& session, std::span<const LogRecord> records);
  Status rewind_to_stream(Session& session);
  void persist_checkpoint(bool force);
  Status anchor_published_head(Seq seq);
  void set_error(Status status);

  const EventLog& log_;
  NatsPublisherOptions options_;
  std::unique_ptr<SnapshotStore> store_;
  std::atomic<std::uint64_t> published_seq_{0};
  std::atomic<std::uint64_t> events_published_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<bool> connected_{false};
  std::atomic<bool> batch_failed_{false};
  LogSubscription subscription_;  // follows the log while connected; stop() stops it
  Seq persisted_seq_;
  std::chrono::steady_clock::time_point persisted_at_;
  mutable std::mutex error_mutex_;  // guards error_, failure_
  Status error_;
  std::string failure_;
  std::thread thread_;
};

}  // namespace turno::projections
