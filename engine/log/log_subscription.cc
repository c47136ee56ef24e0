#include "log_subscription.h"

#include <algorithm>
#include <string>

namespace turno {

LogSubscription::LogSubscription(const EventLog& log, LogSubscriptionLimits limits)
    : log_(log), limits_(limits) {
  VERIFY(limits_.batch_records_max > 0, "a log subscription reads at least one record a batch");
  records_.reserve(limits_.batch_records_max);
}

Status LogSubscription::follow(LogSubscriber& subscriber) {
  while (!stopping()) {
    const Seq tail = log_.last_seq();
    subscriber.observe_tail(tail);
    const Seq applied = subscriber.applied();
    if (tail <= applied) {
      subscriber.checkpoint(Checkpoint::kIdle);
      if (!stopping()) log_.wait_for_commit_after(tail, limits_.idle_wait);
      continue;
    }
    Result<LogBatch> batch = read_batch(applied, subscriber.until(), tail);
    if (!batch.is_ok()) {
      subscriber.read_failed(batch.status());
      wait_for_stop(limits_.error_backoff);
      continue;
    }
    if (Status status = subscriber.apply(batch.value()); !status.is_ok()) return status;
    subscriber.checkpoint(Checkpoint::kAfterBatch);
  }
  return Status::ok();
}

Status LogSubscription::catch_up(LogSubscriber& subscriber) {
  const Seq tail = log_.last_seq();
  while (true) {
    subscriber.observe_tail(tail);
    const Seq applied = subscriber.applied();
    if (tail <= applied) return Status::ok();
    Result<LogBatch> batch = read_batch(applied, subscriber.until(), tail);
    if (!batch.is_ok()) {
      subscriber.read_failed(batch.status());
      return batch.status();
    }
    if (Status status = subscriber.apply(batch.value()); !status.is_ok()) return status;
    subscriber.checkpoint(Checkpoint::kAfterBatch);
    // Each turn must move on, so the loop ends after at most (tail - applied) turns.
    if (subscriber.applied() <= applied) {
      return Status::invalid_argument("log subscription: a batch left the subscriber at seq " +
                                      std::to_string(applied.value));
    }
  }
}

void LogSubscription::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_.store(true, std::memory_order_release);
  }
  stop_requested_.notify_all();
}

bool LogSubscription::wait_for_stop(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(stop_mutex_);
  return stop_requested_.wait_for(lock, timeout, [this] { return stopping(); });
}

Result<LogBatch> LogSubscription::read_batch(Seq applied, Seq until, Seq tail) {
  VERIFY(until > applied, "a subscriber's until() lies past its applied()");
  const std::uint64_t room =
      std::min<std::uint64_t>(limits_.batch_records_max, UINT64_MAX - applied.value);
  const Seq last = std::min({tail, until, Seq{applied.value + room}});
  LogCursor cursor = log_.read(applied.next(), last);
  std::size_t count = 0;
  while (cursor.next()) {
    // Assignment into a kept record reuses its strings and message storage.
    if (count == records_.size()) records_.emplace_back();
    records_[count] = cursor.record();
    ++count;
  }
  if (!cursor.status().is_ok()) return cursor.status();
  return LogBatch{std::span<LogRecord>(records_.data(), count), tail};
}

}  // namespace turno
