// The writer's decide thread: takes queued commands, looks up their idempotency outcomes,
// decides them in order against the model, and hands each batch to the commit thread.
#include "writer.h"

#include <pthread.h>
#include <rocksdb/perf_level.h>

#include <future>

#include "event_kinds.h"
#include "log_format.h"
#include "sha256.h"

namespace turno {
namespace {

// `bytes` is the caller's buffer for the serialized command, reused between commands.
Hash fingerprint_of(v1::Command& command, std::string& bytes) {
  // The command minus what may legitimately differ between retries. Swapping the fields out
  // and back avoids copying the command.
  std::string command_id;
  std::string correlation_id;
  command_id.swap(*command.mutable_command_id());
  correlation_id.swap(*command.mutable_correlation_id());
  bytes.clear();
  command.AppendToString(&bytes);
  command_id.swap(*command.mutable_command_id());
  correlation_id.swap(*command.mutable_correlation_id());
  return sha256(bytes);
}

v1::Command timer_command(const Timer& timer) {
  v1::Command command;
  command.set_tenant_id(timer.tenant_id.str());
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

// The booking an accepted command's answer shows: that of its last event, else the one the
// command names; empty when it is about no booking.
std::string_view answered_booking_id(const v1::Command& command,
                                     const std::vector<v1::Envelope>& events) {
  if (!events.empty()) return booking_id_of(events.back());
  return booking_id_of(command);
}

// The model's booking, as its events tell it.
std::optional<BookingState> booking_in(const Model& model, std::string_view tenant_id,
                                       std::string_view booking_id) {
  const Tenant* tenant = model.find_tenant(tenant_id);
  const Booking* booking = tenant == nullptr ? nullptr : tenant->find_booking(booking_id);
  if (booking == nullptr) return std::nullopt;
  return static_cast<const BookingState&>(*booking);
}

}  // namespace

CommandResult rejected_result(RejectionCode code, std::string detail) {
  CommandResult result;
  result.rejection = Rejection{code, "", std::move(detail)};
  return result;
}

CommandResult key_reused_result() {
  CommandResult result = rejected_result(RejectionCode::kIdempotencyKeyReused,
                                         "this Idempotency-Key was used for a different request");
  result.replayed = true;  // answered from the key's first request, not decided
  return result;
}

Writer::Writer(EventLog& log, Model model, const Clock& clock, WriterOptions options,
               ModelLoader loader)
    : log_(log),
      model_(std::move(model)),
      clock_(clock),
      options_(options),
      loader_(loader ? std::move(loader)
                     : [](const EventLog& source) { return replay_log(source); }),
      tail_seq_(log.last_seq()),
      tail_hash_(log.last_hash()) {
  VERIFY(model_.last_seq == log_.last_seq(), "the writer starts with the model of the log's tail");
  VERIFY(options_.commit_batches_in_flight_max >= 1, "at least one batch in flight");
}

Writer::~Writer() {
  stop();
}

void Writer::start() {
  VERIFY(!running_.load(), "a writer starts once");
  running_.store(true);
  if (options_.manual_stepping) return;  // the caller's thread does the work, in step()
  // Named so top, perf and gdb show them; RocksDB's per-thread perf counters off, as they
  // cost a thread-local lookup on every key comparison.
  commit_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "turno-commit");
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    run_commits();
  });
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "turno-writer");
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    run();
  });
}

void Writer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  if (options_.manual_stepping) {
    // What the decide thread does when stopped: finish what was queued.
    if (running_.load()) run_until_idle();
    running_.store(false);
    return;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(mutex_);
    commits_stopping_ = true;
  }
  commit_ready_.notify_one();
  if (commit_thread_.joinable()) commit_thread_.join();
  running_.store(false);
}

void Writer::submit(v1::Command command, Completion done) {
  std::unique_lock lock(mutex_);
  if (stopping_ || !running_.load()) {
    lock.unlock();
    done(rejected_result(RejectionCode::kShuttingDown, "the writer is not running"));
    return;
  }
  if (queue_.size() >= options_.queue_capacity) {
    lock.unlock();
    stats_.rejections_by_code[static_cast<std::size_t>(RejectionCode::kQueueFull)].fetch_add(1);
    done(rejected_result(RejectionCode::kQueueFull, "the writer's queue is full; retry shortly"));
    return;
  }
  Pending pending;
  pending.command = std::move(command);
  pending.done = std::move(done);
  queue_.push_back(std::move(pending));
  const bool was_empty = queue_.size() == 1;
  stats_.queue_depth.store(queue_.size(), std::memory_order_relaxed);
  lock.unlock();
  if (was_empty) wake_.notify_one();
}

CommandResult Writer::execute(v1::Command command) {
  std::promise<CommandResult> promise;
  auto future = promise.get_future();
  submit(std::move(command),
         [&promise](CommandResult&& result) { promise.set_value(std::move(result)); });
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
  VERIFY(!running_.load() || options_.manual_stepping,
         "the model is the writer thread's while it runs");
  return model_;
}

std::chrono::milliseconds Writer::wait_budget(std::int64_t now_ms) const {
  if (model_.timers.empty()) return options_.idle_wait_max;
  const std::int64_t until_due =
      std::max(model_.timers.begin()->due_ms, timers_paused_until_ms_) - now_ms;
  return std::chrono::milliseconds(
      std::clamp<std::int64_t>(until_due, 0, options_.idle_wait_max.count()));
}

bool Writer::has_work() const {
  const bool deferred_ready =
      !deferred_.empty() && deferred_.front().waits_for_batch <= finished_batch_;
  return !queue_.empty() || stopping_ || woken_ || deferred_ready || commit_failed_.load();
}

void Writer::run() {
  std::vector<Pending> incoming;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, wait_budget(clock_.now_ms()), [&] { return has_work(); });
      woken_ = false;
      incoming.swap(queue_);
      stats_.queue_depth.store(0, std::memory_order_relaxed);
      if (incoming.empty() && deferred_.empty() && stopping_) break;
    }
    decide_round(incoming);
  }
  wait_for_commits_to_drain();
  if (commit_failed_.load()) recover_from_failed_commit();
  forget_committed();
}

bool Writer::step() {
  VERIFY(options_.manual_stepping && running_.load(), "step() drives a started manual writer");
  std::vector<Pending> incoming;
  {
    std::lock_guard lock(mutex_);
    woken_ = false;
    incoming.swap(queue_);
    stats_.queue_depth.store(0, std::memory_order_relaxed);
  }
  if (incoming.empty() && deferred_.empty() && !commit_failed_.load() &&
      !timer_due(clock_.now_ms())) {
    return false;
  }
  decide_round(incoming);
  wait_for_commits_to_drain();
  forget_committed();  // so the model equals the fold of its log here
  return true;
}

std::size_t Writer::run_until_idle() {
  std::size_t rounds = 0;
  while (true) {
    const std::uint64_t failures_before = stats_.commit_failures.load();
    if (!step()) break;
    ++rounds;
    if (stats_.commit_failures.load() == failures_before) continue;
    std::lock_guard lock(mutex_);
    if (queue_.empty() && deferred_.empty()) break;
  }
  if (commit_failed_.load()) recover_from_failed_commit();
  return rounds;
}

bool Writer::timer_due(std::int64_t now_ms) const {
  if (now_ms < timers_paused_until_ms_) return false;
  for (const Timer& timer : model_.timers) {
    if (timer.due_ms > now_ms) return false;
    if (!skipped_timers_.contains(timer)) return true;
  }
  return false;
}

void Writer::forget_committed() {
  stats_.bookings_forgotten.fetch_add(forget_finished(model_, log_.last_seq()),
                                      std::memory_order_relaxed);
  stats_.bookings_in_model.store(model_.booking_count, std::memory_order_relaxed);
}

void Writer::decide_round(std::vector<Pending>& incoming) {
  if (commit_failed_.load()) recover_from_failed_commit();
  forget_committed();
  // Duplicates whose original is now durable go first: they arrived before the rest.
  std::vector<Pending> ready;
  release_finished_batches(ready);
  if (!ready.empty()) {
    std::move(incoming.begin(), incoming.end(), std::back_inserter(ready));
    incoming.swap(ready);
  }
  // Chunks of at most batch_commands_max, each one group commit; an empty chunk still runs
  // the timers.
  std::vector<Pending> chunk;
  std::size_t next = 0;
  do {
    const std::size_t end = std::min(incoming.size(), next + options_.batch_commands_max);
    chunk.clear();
    for (std::size_t i = next; i < end; ++i) chunk.push_back(std::move(incoming[i]));
    next = end;
    decide_batch(chunk);
  } while (next < incoming.size());
  incoming.clear();
}

void Writer::release_finished_batches(std::vector<Pending>& into) {
  std::uint64_t finished = 0;
  {
    std::lock_guard lock(mutex_);
    finished = finished_batch_;
  }
  while (!in_flight_by_batch_.empty() && in_flight_by_batch_.front().first <= finished) {
    for (const std::string& key : in_flight_by_batch_.front().second) {
      auto it = in_flight_keys_.find(key);
      if (it != in_flight_keys_.end() && it->second <= finished) in_flight_keys_.erase(it);
    }
    in_flight_by_batch_.pop_front();
  }
  auto still_waiting = std::stable_partition(
      deferred_.begin(), deferred_.end(),
      [&](const Pending& pending) { return pending.waits_for_batch <= finished; });
  std::move(deferred_.begin(), still_waiting, std::back_inserter(into));
  deferred_.erase(deferred_.begin(), still_waiting);
  for (Pending& pending : into) pending.waits_for_batch = 0;
}

void Writer::decide_batch(std::vector<Pending>& pendings) {
  const std::int64_t now_ms = clock_.now_ms();
  Batch batch;
  batch.number = next_batch_number_++;
  if (!healthy_.load()) {
    for (Pending& pending : pendings) {
      pending.result = rejected_result(RejectionCode::kStorageFailed, "the log is unavailable");
      pending.answered_from_index = true;
    }
  } else {
    add_due_timers(pendings, now_ms);
    if (pendings.empty()) return;
    look_up_outcomes(pendings);
    AppendBatch append = log_.begin_batch(tail_seq_, tail_hash_);
    std::vector<std::string> keys;
    for (Pending& pending : pendings) {
      if (pending.waits_for_batch != 0) continue;
      if (!pending.same_as && !pending.answered_from_index) {
        Result<std::size_t> recalled = recall_for_command(log_, model_, pending.command);
        if (!recalled.is_ok()) {
          // The booking it names could not be read back: not decided, nothing stored, so a
          // retry decides it afresh.
          pending.result =
              rejected_result(RejectionCode::kStorageFailed, recalled.status().message());
          pending.answered_from_index = true;
          continue;
        }
        stats_.bookings_recalled.fetch_add(recalled.value(), std::memory_order_relaxed);
        decide_one(pending, append, now_ms);
        keys.push_back(pending.key);
        in_flight_keys_[pending.key] = batch.number;
      }
    }
    if (!keys.empty()) in_flight_by_batch_.emplace_back(batch.number, std::move(keys));
    tail_seq_ = append.last_seq();
    tail_hash_ = append.tail_hash();
    batch.append.emplace(std::move(append));
  }
  set_aside_waiting(pendings);
  batch.pendings = std::move(pendings);
  pendings.clear();
  hand_to_commit(std::move(batch));
}

void Writer::set_aside_waiting(std::vector<Pending>& pendings) {
  const auto waits = [](const Pending& p) { return p.waits_for_batch != 0; };
  if (std::none_of(pendings.begin(), pendings.end(), waits)) return;
  // The others keep their order; a same_as link follows its original to its new place.
  std::vector<std::size_t> kept_index(pendings.size(), SIZE_MAX);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < pendings.size(); ++i) {
    if (!waits(pendings[i])) kept_index[i] = kept++;
  }
  for (Pending& pending : pendings) {
    if (!pending.same_as || waits(pending)) continue;
    pending.same_as = kept_index[*pending.same_as];
    VERIFY(*pending.same_as != SIZE_MAX, "a duplicate stays in the batch of its original");
  }
  auto waiting = std::stable_partition(pendings.begin(), pendings.end(),
                                       [&](const Pending& p) { return !waits(p); });
  std::move(waiting, pendings.end(), std::back_inserter(deferred_));
  pendings.erase(waiting, pendings.end());
}

void Writer::add_due_timers(std::vector<Pending>& batch, std::int64_t now_ms) {
  if (now_ms < timers_paused_until_ms_) return;
  std::size_t added = 0;
  for (const Timer& timer : model_.timers) {
    if (timer.due_ms > now_ms || added == options_.timer_commands_per_batch_max) break;
    if (skipped_timers_.contains(timer)) continue;
    Pending pending;
    pending.command = timer_command(timer);
    pending.timer = timer;
    batch.push_back(std::move(pending));
    ++added;
  }
}

void Writer::look_up_outcomes(std::vector<Pending>& batch) {
  // Views of the pendings' keys, which stay put while this runs.
  std::vector<std::string_view> keys;
  std::vector<std::size_t> key_owner;
  std::vector<std::pair<std::size_t, std::size_t>> duplicates;  // (pending, first with its key)
  std::unordered_map<std::string_view, std::size_t> first_with_key;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Pending& pending = batch[i];
    log_format::assign_outcome_key(pending.key, pending.command.tenant_id(),
                                   pending.command.command_id());
    pending.fingerprint = fingerprint_of(pending.command, command_bytes_);
    auto [it, inserted] = first_with_key.emplace(pending.key, i);
    if (!inserted) {
      const std::uint64_t first_waits_for = batch[it->second].waits_for_batch;
      if (first_waits_for != 0) {
        pending.waits_for_batch = first_waits_for;  // waits with it, whatever its body
      } else {
        duplicates.emplace_back(i, it->second);
      }
      continue;
    }
    if (auto in_flight = in_flight_keys_.find(pending.key); in_flight != in_flight_keys_.end()) {
      pending.waits_for_batch = in_flight->second;
      continue;
    }
    keys.push_back(pending.key);
    key_owner.push_back(i);
  }
  std::vector<std::optional<v1::CommandOutcome>> outcomes;
  if (Status status = log_.find_outcomes(keys, outcomes); !status.is_ok()) {
    for (std::size_t owner : key_owner) {
      batch[owner].result = rejected_result(RejectionCode::kStorageFailed, status.message());
      batch[owner].answered_from_index = true;
    }
    for (const auto& [duplicate, first] : duplicates) {
      batch[duplicate].result = batch[first].result;
      batch[duplicate].answered_from_index = true;
    }
    return;
  }
  std::vector<const v1::CommandOutcome*> stored(batch.size(), nullptr);
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (!outcomes[k]) continue;
    stored[key_owner[k]] = &*outcomes[k];
    answer_from_outcome(batch[key_owner[k]], *outcomes[k]);
  }
  // A duplicate is compared with the key's stored request when there is one; otherwise with
  // the first of the batch, which is decided now.
  for (const auto& [duplicate, first] : duplicates) {
    Pending& pending = batch[duplicate];
    if (stored[first] != nullptr) {
      answer_from_outcome(pending, *stored[first]);
    } else if (batch[first].fingerprint != pending.fingerprint) {
      pending.result = key_reused_result();
      pending.answered_from_index = true;
    } else {
      pending.same_as = first;  // answered with the first one's result
    }
  }
}

void Writer::answer_from_outcome(Pending& pending, const v1::CommandOutcome& outcome) {
  pending.answered_from_index = true;
  pending.result.replayed = true;
  // An empty fingerprint is an outcome turno repair rebuilt from events alone (log_repair.h).
  if (!outcome.fingerprint().empty() && outcome.fingerprint() != as_bytes(pending.fingerprint)) {
    pending.result = key_reused_result();
    return;
  }
  if (!outcome.rejection().empty()) {
    const auto code = rejection_code_from_string(outcome.rejection());
    pending.result.rejection =
        Rejection{code.value_or(RejectionCode::kValidation), outcome.field(), outcome.detail()};
    return;
  }
  if (outcome.first_seq() != 0) {
    LogCursor cursor = log_.read(Seq{outcome.first_seq()}, Seq{outcome.last_seq()});
    while (cursor.next()) pending.result.events.push_back(cursor.record().envelope);
    if (!cursor.status().is_ok()) {
      pending.result = rejected_result(RejectionCode::kStorageFailed, cursor.status().message());
      return;
    }
  }
  replay_booking(pending, outcome);
}

void Writer::replay_booking(Pending& pending, const v1::CommandOutcome& outcome) {
  const std::string_view booking_id = answered_booking_id(pending.command, pending.result.events);
  if (booking_id.empty()) return;
  // The model has moved on since: the log says what the booking was after the command.
  const Seq upto = outcome.first_seq() == 0 ? log_.last_seq() : Seq{outcome.last_seq()};
  Result<std::optional<BookingState>> booking =
      read_booking(log_, pending.command.tenant_id(), booking_id, upto);
  if (!booking.is_ok()) {
    const bool replayed = pending.result.replayed;
    pending.result = rejected_result(RejectionCode::kStorageFailed, booking.status().message());
    pending.result.replayed = replayed;
    return;
  }
  pending.result.booking = std::move(booking).value();
}

void Writer::decide_one(Pending& pending, AppendBatch& append, std::int64_t now_ms) {
  Decision decision =
      decide(model_, pending.command, DecideContext{now_ms, append.last_seq().next()});
  v1::CommandOutcome& outcome = outcome_;  // reused: cleared, its strings keep their buffers
  outcome.Clear();
  outcome.mutable_fingerprint()->assign(as_bytes(pending.fingerprint));
  outcome.set_recorded_at_ms(now_ms);
  if (!decision.accepted()) {
    const Rejection& rejection = *decision.rejection;
    outcome.set_rejection(std::string(to_string(rejection.code)));
    outcome.set_field(rejection.field);
    outcome.set_detail(rejection.detail);
    if (pending.timer) {
      // A timer command the model refused: do not fire it again.
      skipped_timers_.insert(*pending.timer);
      std::fprintf(stderr, "writer: timer %s refused: %s\n", pending.command.command_id().c_str(),
                   rejection.detail.c_str());
    }
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
  if (pending.result.accepted() && !pending.timer) {
    pending.result.booking =
        booking_in(model_, pending.command.tenant_id(),
                   answered_booking_id(pending.command, pending.result.events));
  }
  append.put_outcome_key(pending.key, outcome);
}

void Writer::recover_from_failed_commit() {
  wait_for_commits_to_drain();  // every batch decided after the failure is answered too
  skipped_timers_.clear();
  // A log that refuses writes would otherwise have a due timer retried, and the model
  // reloaded, in a busy loop.
  timers_paused_until_ms_ = clock_.now_ms() + options_.idle_wait_max.count();
  in_flight_keys_.clear();
  in_flight_by_batch_.clear();
  Status refreshed = log_.refresh_tail();
  Result<Model> reloaded = refreshed.is_ok() ? loader_(log_) : Result<Model>(refreshed);
  tail_seq_ = log_.last_seq();
  tail_hash_ = log_.last_hash();
  commit_failed_.store(false);
  if (!reloaded.is_ok()) {
    std::fprintf(stderr, "writer: reload after a failed commit failed: %s\n",
                 reloaded.status().message().c_str());
    healthy_.store(false);
    return;
  }
  model_ = std::move(reloaded).value();
}

}  // namespace turno
