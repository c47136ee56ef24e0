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
    : log_(log), group_(group), progress_(progress), options_(options) {
  thread_ = std::thread([this] { run(); });
}

void LogFollower::stop() {
  stopping_.store(true);
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

void LogFollower::run() {
  std::vector<v1::Envelope> batch;
  while (!stopping_.load()) {
    const Seq next = group_.min_applied().next();
    const Seq tail = log_.last_seq();
    group_.observe_head(tail);
    if (tail < next) {
      set_error(group_.checkpoint(/*quiet=*/true));
      log_.wait_for_commit_after(tail, options_.idle_wait);
      continue;
    }
    batch.clear();
    Status read = read_envelopes(log_, next, options_.batch_events_max, batch);
    if (!read.is_ok()) {
      set_error(std::move(read));
      std::this_thread::sleep_for(options_.error_backoff);
      continue;
    }
    group_.offer(batch);
    group_.observe_head(tail);
    progress_.advanced();
    set_error(group_.checkpoint(/*quiet=*/false));
  }
  set_error(group_.checkpoint(/*quiet=*/true, /*force=*/true));
}

}  // namespace turno::projections
