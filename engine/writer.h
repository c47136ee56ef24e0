// The single writer: one thread owns the write model, decides commands in arrival order and
// commits their events in groups with one fsync each.
//
// Contract. submit() never blocks on the writer: when the queue holds `queue_capacity`
// commands it answers kQueueFull at once, on the caller's thread. Otherwise the completion
// runs later, on the writer thread, exactly once, and only after the command's events (and
// its idempotency outcome) are durable in the log, or with a rejection. A command whose batch
// failed to commit is answered kStorageFailed; the model is then reloaded from the log, so no
// effect of the failed batch stays visible. Completions must be quick and must not throw: hand
// work to another executor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "clock.h"
#include "commands.pb.h"
#include "decide.h"
#include "event_log.h"
#include "metrics.h"
#include "model.h"

namespace turno {

struct WriterOptions {
  std::size_t queue_capacity = 16 * 1024;    // commands waiting; beyond: kQueueFull
  std::size_t batch_commands_max = 1024;     // commands decided and committed per fsync
  std::size_t timer_commands_per_batch_max = 256;  // timer-driven commands added per batch
  std::chrono::milliseconds idle_wait_max{250};  // longest sleep between timer checks
};

struct CommandResult {
  std::optional<Rejection> rejection;  // set when the command was not applied
  std::vector<v1::Envelope> events;    // what it appended (empty if nothing or rejected)
  bool replayed = false;               // answered from the idempotency index, not decided now

  bool accepted() const { return !rejection.has_value(); }
};

using Completion = std::function<void(CommandResult&&)>;

// Loads the model for (re)start: the newest valid snapshot plus the log's tail, or a replay.
using ModelLoader = std::function<Result<Model>(const EventLog&)>;

// Folds the log into `start` from start.last_seq + 1 to the tail.
Result<Model> replay_log(const EventLog& log, Model start = {});

struct WriterStats {
  std::atomic<std::uint64_t> commands_accepted{0};
  std::atomic<std::uint64_t> commands_rejected{0};
  std::atomic<std::uint64_t> commands_replayed{0};
  std::atomic<std::uint64_t> events_appended{0};
  std::atomic<std::uint64_t> batches_committed{0};
  std::atomic<std::uint64_t> commit_failures{0};
  std::atomic<std::uint64_t> queue_depth{0};
  std::array<std::atomic<std::uint64_t>, 32> rejections_by_code{};  // index: RejectionCode
  Histogram batch_commands{batch_size_buckets()};
  Histogram commit_us{latency_us_buckets()};
};

class Writer {
 public:
  Writer(EventLog& log, Model model, const Clock& clock, WriterOptions options = {},
         ModelLoader loader = nullptr);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void start();
  // Stops taking commands, finishes those queued, and joins the thread. Idempotent.
  void stop();

  // Thread-safe; see the contract above.
  void submit(v1::Command command, Completion done);
  // submit() and wait for the answer. Not for the writer thread itself.
  CommandResult execute(v1::Command command);
  // Wakes the writer to check its timers now (tests that move a ManualClock).
  void poke();

  // False after a failed reload: every command is answered kStorageFailed until restart.
  bool healthy() const { return healthy_.load(); }
  bool running() const { return running_.load(); }
  const WriterStats& stats() const { return stats_; }
  const EventLog& log() const { return log_; }
  // The model, for callers that have stopped the writer (tests, snapshots at shutdown).
  const Model& model_when_stopped() const;

 private:
  struct Pending {
    v1::Command command;
    Completion done;
    std::string key;                 // tenant \0 command_id
    std::string fingerprint;
    CommandResult result;
    std::optional<std::size_t> same_as;  // a duplicate of an earlier command of the batch
    bool answered_from_index = false;
    std::optional<Timer> timer;      // set for commands the writer issued from a timer
  };

  void run();
  void process(std::vector<Pending>& batch);
  void add_due_timers(std::vector<Pending>& batch, std::int64_t now_ms);
  void look_up_outcomes(std::vector<Pending>& batch);
  void decide_one(Pending& pending, AppendBatch& append, std::int64_t now_ms);
  void finish(std::vector<Pending>& batch, const Status& commit_status);
  void reload_after_failure();
  std::chrono::milliseconds wait_budget(std::int64_t now_ms) const;

  EventLog& log_;
  Model model_;
  const Clock& clock_;
  WriterOptions options_;
  ModelLoader loader_;
  std::set<Timer> skipped_timers_;  // timer commands that were refused; not retried
  WriterStats stats_;

  std::mutex mutex_;  // guards queue_, stopping_, woken_
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<Pending> queue_;
  bool stopping_ = false;
  bool woken_ = false;
  std::atomic<bool> running_{false};
  std::atomic<bool> healthy_{true};
  std::thread thread_;
};

}  // namespace turno
