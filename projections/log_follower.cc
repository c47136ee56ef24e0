#include "log_follower.h"

namespace turno::projections {

Status read_envelopes(const EventLog& log, Seq from, std::size_t count,
                      std::vector<v1::Envelope>& out) {
  if (count == 0) return Status::ok();
  LogCursor cursor = log.read(from, Seq{from.value + count - 1});
  while (cursor.next()) out.push_back(cursor.record().envelope);
  return cursor.status();
}

LogFollower::LogFollower(const EventLog& log, ProjectorGroup& group, Progress& progress,
                         FollowerOptions options)
    : log_(log),
      group_(group),
      progress_(progress),
      subscription_(log, {options.batch_events_max, options.idle_wait, options.error_backoff}) {
  thread_ = std::thread([this] {
    // The subscriber's apply() never fails: only stop() ends following.
    subscription_.follow(*this).ignore();
    set_error(group_.checkpoint(/*quiet=*/true, /*force=*/true));
  });
}

void LogFollower::stop() {
  subscription_.stop();
  if (thread_.joinable()) thread_.join();
}

Status LogFollower::last_error() const {
  std::lock_guard lock(error_mutex_);
  return error_;
}

void LogFollower::set_error(Status status) {
  std::lock_guard lock(error_mutex_);
  error_ = std::move(status);
}

Status LogFollower::apply(LogBatch batch) {
  // The projectors take envelopes: swap them out of the subscription's buffer, no copy.
  const std::size_t count = batch.records.size();
  if (envelopes_.size() < count) envelopes_.resize(count);
  for (std::size_t i = 0; i < count; ++i) envelopes_[i].Swap(&batch.records[i].envelope);
  group_.offer(std::span<const v1::Envelope>(envelopes_.data(), count));
  group_.observe_head(batch.tail);
  progress_.advanced();
  return Status::ok();
}

void LogFollower::checkpoint(Checkpoint when) {
  set_error(group_.checkpoint(/*quiet=*/when == Checkpoint::kIdle));
}

}  // namespace turno::projections
