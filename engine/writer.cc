#include "writer.h"

#include <future>

#include "log_format.h"
#include "sha256.h"

namespace turno {
namespace {

using Micros = std::chrono::microseconds;

std::string fingerprint_of(const v1::Command& command) {
  // The command minus what may legitimately differ between retries.
  v1::Command essence = command;
  essence.clear_command_id();
  essence.clear_correlation_id();
  std::string bytes;
  essence.SerializeToString(&bytes);
  return std::string(as_bytes(sha256(bytes)));
}

v1::Command timer_command(const Timer& timer) {
  v1::Command command;
  command.set_tenant_id(timer.tenant_id);
  command.mutable_actor()->set_id("engine");
  command.mutable_actor()->set_role(v1::ROLE_SYSTEM);
  if (timer.kind == TimerKind::kHoldExpiry) {
    command.set_command_id("timer/expire/" + timer.booking_id);
    command.mutable_expire_hold()->set_booking_id(timer.booking_id);
  } else {
    command.set_command_id("timer/no-show/" + timer.booking_id);
    command.mutable_mark_no_show()->set_booking_id(timer.booking_id);
  }
  return command;
}

CommandResult rejected(RejectionCode code, std::string detail) {
  CommandResult result;
  result.rejection = Rejection{code, "", std::move(detail)};
  return result;
}

}  // namespace

Result<Model> replay_log(const EventLog& log, Model start) {
  LogCursor cursor = log.read(start.last_seq.next());
  while (cursor.next()) evolve(start, cursor.record().envelope);
  if (!cursor.status().is_ok()) return cursor.status();
  return start;
}

Writer::Writer(EventLog& log, Model model, const Clock& clock, WriterOptions options,
               ModelLoader loader)
    : log_(log),
      model_(std::move(model)),
      clock_(clock),
      options_(options),
      loader_(loader ? std::move(loader)
                     : [](const EventLog& source) { return replay_log(source); }) {
  VERIFY(model_.last_seq == log_.last_seq(), "the writer starts with the model of the log's tail");
}

Writer::~Writer() { stop(); }

void Writer::start() {
  VERIFY(!running_.load(), "a writer starts once");
  running_.store(true);
  thread_ = std::thread([this] { run(); });
}

void Writer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      if (!thread_.joinable()) return;
    }
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  running_.store(false);
}

void Writer::submit(v1::Command command, Completion done) {
  std::unique_lock lock(mutex_);
  if (stopping_ || !running_.load()) {
    lock.unlock();
    done(rejected(RejectionCode::kShuttingDown, "the writer is not running"));
    return;
  }
  if (queue_.size() >= options_.queue_capacity) {
    lock.unlock();
    stats_.rejections_by_code[static_cast<std::size_t>(RejectionCode::kQueueFull)].fetch_add(1);
    done(rejected(RejectionCode::kQueueFull, "the writer's queue is full; retry shortly"));
    return;
  }
  queue_.push_back(Pending{std::move(command), std::move(done), {}, {}, {}, {}, false, {}});
  const bool was_empty = queue_.size() == 1;
  stats_.queue_depth.store(queue_.size(), std::memory_order_relaxed);
  lock.unlock();
  if (was_empty) wake_.notify_one();
}

CommandResult Writer::execute(v1::Command command) {
  std::promise<CommandResult> promise;
  auto future = promise.get_future();
  submit(std::move(command), [&promise](CommandResult&& result) {
    promise.set_value(std::move(result));
  });
  return future.get();
}

void Writer::poke() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

const Model& Writer::model_when_stopped() const {
  VERIFY(!running_.load(), "the model is the writer thread's while it runs");
  return model_;
}

std::chrono::milliseconds Writer::wait_budget(std::int64_t now_ms) const {
  if (model_.timers.empty()) return options_.idle_wait_max;
  const std::int64_t until_due = model_.timers.begin()->due_ms - now_ms;
  return std::chrono::milliseconds(
      std::clamp<std::int64_t>(until_due, 0, options_.idle_wait_max.count()));
}

void Writer::run() {
  std::vector<Pending> incoming;
  std::vector<Pending> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, wait_budget(clock_.now_ms()),
                     [&] { return !queue_.empty() || stopping_ || woken_; });
      woken_ = false;
      if (queue_.empty() && stopping_) break;
      incoming.swap(queue_);
      stats_.queue_depth.store(0, std::memory_order_relaxed);
    }
    // Chunks of at most batch_commands_max, each one group commit; an empty chunk still
    // runs the timers.
    std::size_t next = 0;
    do {
      const std::size_t end = std::min(incoming.size(), next + options_.batch_commands_max);
      batch.clear();
      for (std::size_t i = next; i < end; ++i) batch.push_back(std::move(incoming[i]));
      next = end;
      process(batch);
    } while (next < incoming.size());
    incoming.clear();
  }
}

void Writer::process(std::vector<Pending>& batch) {
  const std::int64_t now_ms = clock_.now_ms();
  if (!healthy_.load()) {
    for (Pending& pending : batch) {
      pending.result = rejected(RejectionCode::kStorageFailed, "the log is unavailable");
    }
    finish(batch, Status::ok());
    return;
  }
  add_due_timers(batch, now_ms);
  if (batch.empty()) return;
  look_up_outcomes(batch);
  AppendBatch append = log_.begin_batch();
  for (Pending& pending : batch) {
    if (!pending.same_as && !pending.answered_from_index) decide_one(pending, append, now_ms);
  }
  const auto started = std::chrono::steady_clock::now();
  const std::size_t events = append.event_count();
  Status status = log_.commit(std::move(append));
  stats_.commit_us.record(static_cast<std::uint64_t>(
      std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now() - started).count()));
  if (status.is_ok()) {
    stats_.batches_committed.fetch_add(1, std::memory_order_relaxed);
    stats_.events_appended.fetch_add(events, std::memory_order_relaxed);
    stats_.batch_commands.record(batch.size());
  }
  finish(batch, status);
  if (!status.is_ok()) reload_after_failure();
}

void Writer::add_due_timers(std::vector<Pending>& batch, std::int64_t now_ms) {
  std::size_t added = 0;
  for (const Timer& timer : model_.timers) {
    if (timer.due_ms > now_ms || added == options_.timer_commands_per_batch_max) break;
    if (skipped_timers_.contains(timer)) continue;
    batch.push_back(Pending{timer_command(timer), nullptr, {}, {}, {}, {}, false, timer});
    ++added;
  }
}

void Writer::look_up_outcomes(std::vector<Pending>& batch) {
  std::vector<std::string> keys;
  std::vector<std::size_t> key_owner;
  StringMap<std::size_t> first_with_key;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Pending& pending = batch[i];
    pending.key = log_format::outcome_key(pending.command.tenant_id(),
                                          pending.command.command_id());
    pending.fingerprint = fingerprint_of(pending.command);
    auto [it, inserted] = first_with_key.emplace(pending.key, i);
    if (!inserted) {
      pending.same_as = it->second;  // answered with the first one's result
      continue;
    }
    keys.push_back(pending.key);
    key_owner.push_back(i);
  }
  std::vector<std::optional<v1::CommandOutcome>> outcomes;
  if (Status status = log_.find_outcomes(keys, outcomes); !status.is_ok()) {
    for (std::size_t owner : key_owner) {
      batch[owner].result = rejected(RejectionCode::kStorageFailed, status.message());
      batch[owner].answered_from_index = true;
    }
    return;
  }
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (!outcomes[k]) continue;
    Pending& pending = batch[key_owner[k]];
    const v1::CommandOutcome& outcome = *outcomes[k];
    pending.answered_from_index = true;
    pending.result.replayed = true;
    if (outcome.fingerprint() != pending.fingerprint) {
      pending.result = rejected(RejectionCode::kIdempotencyKeyReused,
                                "this Idempotency-Key was used for a different request");
      continue;
    }
    if (!outcome.rejection().empty()) {
      const auto code = rejection_code_from_string(outcome.rejection());
      pending.result.rejection =
          Rejection{code.value_or(RejectionCode::kValidation), outcome.field(), outcome.detail()};
      continue;
    }
    if (outcome.first_seq() == 0) continue;
    LogCursor cursor = log_.read(Seq{outcome.first_seq()}, Seq{outcome.last_seq()});
    while (cursor.next()) pending.result.events.push_back(cursor.record().envelope);
    if (!cursor.status().is_ok()) {
      pending.result = rejected(RejectionCode::kStorageFailed, cursor.status().message());
    }
  }
}

void Writer::decide_one(Pending& pending, AppendBatch& append, std::int64_t now_ms) {
  Decision decision = decide(model_, pending.command, DecideContext{now_ms, append.last_seq().next()});
  v1::CommandOutcome outcome;
  outcome.set_fingerprint(pending.fingerprint);
  outcome.set_recorded_at_ms(now_ms);
  if (!decision.accepted()) {
    const Rejection& rejection = *decision.rejection;
    outcome.set_rejection(std::string(to_string(rejection.code)));
    outcome.set_field(rejection.field);
    outcome.set_detail(rejection.detail);
    pending.result.rejection = std::move(decision.rejection);
  } else if (!decision.events.empty()) {
    for (v1::Envelope& event : decision.events) {
      append.add(event);
      evolve(model_, event);
    }
    outcome.set_first_seq(decision.events.front().seq());
    outcome.set_last_seq(decision.events.back().seq());
    pending.result.events = std::move(decision.events);
  }
  append.put_outcome(pending.command.tenant_id(), pending.command.command_id(), outcome);
}

void Writer::finish(std::vector<Pending>& batch, const Status& commit_status) {
  if (!commit_status.is_ok()) stats_.commit_failures.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Pending& pending = batch[i];
    if (!commit_status.is_ok()) {
      pending.result = rejected(RejectionCode::kStorageFailed,
                                "the log could not be written: " + commit_status.message());
    } else if (pending.same_as) {
      pending.result = batch[*pending.same_as].result;
      pending.result.replayed = true;
    }
    if (pending.result.accepted()) {
      stats_.commands_accepted.fetch_add(1, std::memory_order_relaxed);
    } else {
      stats_.commands_rejected.fetch_add(1, std::memory_order_relaxed);
      stats_.rejections_by_code[static_cast<std::size_t>(pending.result.rejection->code)]
          .fetch_add(1, std::memory_order_relaxed);
    }
    if (pending.result.replayed) stats_.commands_replayed.fetch_add(1, std::memory_order_relaxed);
    if (pending.done) {
      pending.done(std::move(pending.result));
    } else if (pending.timer && !pending.result.accepted() && commit_status.is_ok()) {
      // A timer command the model refused: do not fire it again.
      skipped_timers_.insert(*pending.timer);
      std::fprintf(stderr, "writer: timer %s refused: %s\n", pending.command.command_id().c_str(),
                   pending.result.rejection->detail.c_str());
    }
  }
}

void Writer::reload_after_failure() {
  skipped_timers_.clear();
  Status refreshed = log_.refresh_tail();
  Result<Model> reloaded = refreshed.is_ok() ? loader_(log_) : Result<Model>(refreshed);
  if (!reloaded.is_ok()) {
    std::fprintf(stderr, "writer: reload after a failed commit failed: %s\n",
                 reloaded.status().message().c_str());
    healthy_.store(false);
    return;
  }
  model_ = std::move(reloaded).value();
}

}  // namespace turno
