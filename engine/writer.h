// The single writer: one thread owns the write model, decides commands in arrival order and
// commits their events in groups with one fsync each.
//
// Contract. submit() never blocks on the writer: when the queue holds `queue_capacity`
// commands it answers kQueueFull at once, on the caller's thread. Otherwise the completion
// runs later, exactly once, and only after the command's events (and its idempotency outcome)
// are durable in the log, or with a rejection. A command whose batch failed to commit is
// answered kStorageFailed, and so is every command decided after it; the model is then
// reloaded from the log, so no effect of a failed batch stays visible. Completions run on the
// writer's commit thread: they must be quick and must not throw — hand work to another
// executor.
//
// Pipeline. The decide thread decides batch N+1 while the commit thread writes batch N: the
// model runs ahead of the log by at most `commit_batches_in_flight_max` batches, which is safe
// because nothing is answered before its batch is durable and a failed commit fails everything
// decided after it (fail-stop). A command whose key belongs to a batch still being committed
// waits for that batch, then gets its stored answer.
//
// Manual stepping (WriterOptions::manual_stepping, for deterministic simulations only): start()
// spawns no thread, and the caller's thread does the decide thread's and the commit thread's
// work in step() — the same code, in the same order, with the same pipeline bound — so a
// seeded test replays the same interleaving every time. Production never sets it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
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
#include "recall.h"

namespace turno {

struct WriterOptions {
  std::size_t queue_capacity = 16 * 1024;          // commands waiting; beyond: kQueueFull
  std::size_t batch_commands_max = 1024;           // commands decided and committed per fsync
  std::size_t commit_batches_in_flight_max = 2;    // decided but not yet durable
  std::size_t timer_commands_per_batch_max = 256;  // timer-driven commands added per batch
  std::chrono::milliseconds idle_wait_max{250};    // longest sleep between timer checks, and
                                                   // the pause of timers after a failed commit
  bool manual_stepping = false;  // no threads: the caller drives step() (see above)
};

struct CommandResult {
  std::optional<Rejection> rejection;  // set when the command was not applied
  std::vector<v1::Envelope> events;    // what it appended (empty if nothing or rejected)
  bool replayed = false;               // answered from the idempotency index, not decided now
  // Accepted commands about a booking (event_kinds.h booking_id_of: that of the last event, or
  // the one the command names when it appended nothing): the booking as it stands after the
  // command's last event, so an answer is rendered without reading the log. Decided now: a
  // copy of the model's booking after evolve(). Replayed: the booking's stream folded from the
  // log up to the command's last event (up to the log's tail when it appended nothing), so a
  // replay answers what the first time did, whatever came after. Unset for rejections, timer
  // commands, and results of another shard (stream_before instead).
  std::optional<BookingState> booking;
  // Set when another node decided it (the shard owning the tenant, api/shard_routing.h): the
  // first event's stream before that event, since this node's log does not hold it.
  std::optional<std::vector<v1::Envelope>> stream_before;

  bool accepted() const { return !rejection.has_value(); }
};

using Completion = std::function<void(CommandResult&&)>;

// Loads the model for (re)start: the newest valid snapshot plus the log's tail, or a replay.
using ModelLoader = std::function<Result<Model>(const EventLog&)>;

struct WriterStats {
  std::atomic<std::uint64_t> commands_accepted{0};
  std::atomic<std::uint64_t> commands_rejected{0};
  std::atomic<std::uint64_t> commands_replayed{0};
  std::atomic<std::uint64_t> events_appended{0};
  std::atomic<std::uint64_t> batches_committed{0};
  std::atomic<std::uint64_t> commit_failures{0};
  std::atomic<std::uint64_t> queue_depth{0};
  std::atomic<std::uint64_t> bookings_in_model{0};  // after the last round (recall.h)
  std::atomic<std::uint64_t> bookings_forgotten{0};
  std::atomic<std::uint64_t> bookings_recalled{0};
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

  // Manual stepping only. One round of the decide loop on the caller's thread: the queued
  // commands, the duplicates whose original is durable and the due timers are decided in
  // batches of batch_commands_max and committed — a batch waits until
  // commit_batches_in_flight_max are decided, the rest commit at the end of the round — and
  // every completion has run when it returns. Returns whether there was anything to do.
  bool step();
  // step() until there is nothing to do — or, after a round in which a commit failed, until
  // no command is waiting (a log that refuses every write would keep due timers failing
  // forever) — and leaves the model reloaded from the log. Returns the rounds run.
  std::size_t run_until_idle();

  // False after a failed reload: every command is answered kStorageFailed until restart.
  bool healthy() const { return healthy_.load(); }
  bool running() const { return running_.load(); }
  const WriterStats& stats() const { return stats_; }
  const EventLog& log() const { return log_; }
  // The model, for callers that have stopped the writer (tests, snapshots at shutdown), or
  // that drive it by manual stepping (between steps).
  const Model& model_when_stopped() const;

 private:
  struct Pending {
    v1::Command command;
    Completion done;
    std::string key;  // tenant \0 command_id
    Hash fingerprint{};
    CommandResult result;
    std::optional<std::size_t> same_as;  // a duplicate of an earlier command of the batch
    bool answered_from_index = false;
    std::optional<Timer> timer;         // set for commands the writer issued from a timer
    std::uint64_t waits_for_batch = 0;  // its key is in this batch, not yet durable
  };
  struct Batch {
    std::uint64_t number = 0;
    std::vector<Pending> pendings;
    std::optional<AppendBatch> append;
  };

  // Decide thread (writer.cc).
  void run();
  // Recovers from a failed commit if one happened, then decides `incoming` (emptied) and the
  // duplicates whose batch finished, in chunks of batch_commands_max.
  void decide_round(std::vector<Pending>& incoming);
  // Forgets the finished bookings aged out whose events are committed (recall.h); counts.
  void forget_committed();
  bool timer_due(std::int64_t now_ms) const;
  void decide_batch(std::vector<Pending>& pendings);
  // Moves the duplicates of commands still being committed to deferred_, to wait for them.
  void set_aside_waiting(std::vector<Pending>& pendings);
  void add_due_timers(std::vector<Pending>& batch, std::int64_t now_ms);
  void look_up_outcomes(std::vector<Pending>& batch);
  // Answers `pending` with the key's stored outcome (or kIdempotencyKeyReused).
  void answer_from_outcome(Pending& pending, const v1::CommandOutcome& outcome);
  // Sets a replayed answer's booking from the log (see CommandResult::booking).
  void replay_booking(Pending& pending, const v1::CommandOutcome& outcome);
  void decide_one(Pending& pending, AppendBatch& append, std::int64_t now_ms);
  void release_finished_batches(std::vector<Pending>& into);
  void recover_from_failed_commit();
  std::chrono::milliseconds wait_budget(std::int64_t now_ms) const;
  bool has_work() const;  // with mutex_ held

  // Commit thread (writer_commit.cc).
  void hand_to_commit(Batch batch);
  void run_commits();
  // Commits one batch (or fails it, after an earlier failure) and answers its commands.
  void commit_and_answer(Batch& batch);
  // Manual stepping: commits the oldest decided batch on the caller's thread.
  void commit_next_here();
  void finish(Batch& batch, const Status& commit_status);
  void wait_for_commits_to_drain();

  EventLog& log_;
  Model model_;
  const Clock& clock_;
  WriterOptions options_;
  ModelLoader loader_;
  WriterStats stats_;

  // Owned by the decide thread.
  std::set<Timer> skipped_timers_;           // timer commands that were refused; not retried
  std::int64_t timers_paused_until_ms_ = 0;  // after a failed commit: no timer before this
  StringMap<std::uint64_t> in_flight_keys_;  // key -> batch number, until that batch finishes
  std::deque<std::pair<std::uint64_t, std::vector<std::string>>> in_flight_by_batch_;
  std::vector<Pending> deferred_;  // duplicates waiting for their original's batch
  std::uint64_t next_batch_number_ = 1;
  Seq tail_seq_;  // the last seq decided (committed or in flight)
  Hash tail_hash_{};
  std::string command_bytes_;   // a command serialized for its fingerprint; reused
  v1::CommandOutcome outcome_;  // the outcome being staged; reused

  std::mutex mutex_;              // guards queue_, stopping_, woken_, commits_, finished_batch_
  std::condition_variable wake_;  // the decide thread waits here
  std::condition_variable commit_ready_;  // the commit thread waits here
  std::condition_variable commit_space_;  // the decide thread waits here for room or drain
  std::vector<Pending> queue_;
  std::deque<Batch> commits_;
  bool committing_ = false;
  bool stopping_ = false;
  bool commits_stopping_ = false;
  bool woken_ = false;
  std::uint64_t finished_batch_ = 0;  // every batch up to this one is committed or failed
  std::atomic<bool> commit_failed_{false};
  std::atomic<bool> running_{false};
  std::atomic<bool> healthy_{true};
  std::thread thread_;
  std::thread commit_thread_;
};

}  // namespace turno
