// The writer's commit thread: writes each decided batch with one synced WriteBatch, then
// answers its commands. After a failed commit it answers every later batch kStorageFailed
// without writing, until the decide thread has reloaded the model.
#include "writer.h"

namespace turno {

CommandResult rejected_result(RejectionCode code, std::string detail);

void Writer::hand_to_commit(Batch batch) {
  if (options_.manual_stepping) {
    // No commit thread: make room by committing the oldest batches here, as it would.
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (commits_.size() < options_.commit_batches_in_flight_max) {
          commits_.push_back(std::move(batch));
          return;
        }
      }
      commit_next_here();
    }
  }
  std::unique_lock lock(mutex_);
  commit_space_.wait(lock, [&] {
    return commits_.size() + (committing_ ? 1 : 0) < options_.commit_batches_in_flight_max;
  });
  commits_.push_back(std::move(batch));
  lock.unlock();
  commit_ready_.notify_one();
}

void Writer::wait_for_commits_to_drain() {
  if (options_.manual_stepping) {
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (commits_.empty()) return;
      }
      commit_next_here();
    }
  }
  std::unique_lock lock(mutex_);
  commit_space_.wait(lock, [&] { return commits_.empty() && !committing_; });
}

void Writer::run_commits() {
  while (true) {
    Batch batch;
    {
      std::unique_lock lock(mutex_);
      commit_ready_.wait(lock, [&] { return !commits_.empty() || commits_stopping_; });
      if (commits_.empty()) return;
      batch = std::move(commits_.front());
      commits_.pop_front();
      committing_ = true;
    }
    commit_and_answer(batch);
    {
      std::lock_guard lock(mutex_);
      committing_ = false;
      finished_batch_ = batch.number;
    }
    commit_space_.notify_all();
    wake_.notify_one();  // duplicates waiting for this batch, or a failure to recover from
  }
}

void Writer::commit_next_here() {
  Batch batch;
  {
    std::lock_guard lock(mutex_);
    VERIFY(!commits_.empty(), "a decided batch to commit");
    batch = std::move(commits_.front());
    commits_.pop_front();
  }
  commit_and_answer(batch);
  std::lock_guard lock(mutex_);
  finished_batch_ = batch.number;
}

void Writer::commit_and_answer(Batch& batch) {
  Status status;
  if (commit_failed_.load()) {
    status = Status::io_error("an earlier batch failed to commit");
  } else if (batch.append) {
    const auto started = std::chrono::steady_clock::now();
    const std::size_t events = batch.append->event_count();
    status = log_.commit(std::move(*batch.append));
    stats_.commit_us.record(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count()));
    if (status.is_ok()) {
      stats_.batches_committed.fetch_add(1, std::memory_order_relaxed);
      stats_.events_appended.fetch_add(events, std::memory_order_relaxed);
      stats_.batch_commands.record(batch.pendings.size());
    } else {
      commit_failed_.store(true);
      stats_.commit_failures.fetch_add(1, std::memory_order_relaxed);
    }
  }
  finish(batch, status);
}

void Writer::finish(Batch& batch, const Status& commit_status) {
  std::vector<Pending>& pendings = batch.pendings;
  for (std::size_t i = 0; i < pendings.size(); ++i) {
    Pending& pending = pendings[i];
    if (!commit_status.is_ok()) {
      pending.result = rejected_result(RejectionCode::kStorageFailed,
                                       "the log could not be written: " + commit_status.message());
    } else if (pending.same_as) {
      pending.result = pendings[*pending.same_as].result;
      pending.result.replayed = true;
    }
    if (pending.result.accepted()) {
      stats_.commands_accepted.fetch_add(1, std::memory_order_relaxed);
    } else {
      stats_.commands_rejected.fetch_add(1, std::memory_order_relaxed);
      stats_.rejections_by_code[static_cast<std::size_t>(pending.result.rejection->code)].fetch_add(
          1, std::memory_order_relaxed);
    }
    if (pending.result.replayed) stats_.commands_replayed.fetch_add(1, std::memory_order_relaxed);
  }
  // Answer in order; a duplicate copied its original above, before the original is moved.
  for (Pending& pending : pendings) {
    if (pending.done) pending.done(std::move(pending.result));
  }
}

}  // namespace turno
