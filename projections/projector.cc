#include "projector.h"

#include <mutex>

namespace turno::projections {

Projector::Projector(std::unique_ptr<View> view, std::unique_ptr<SnapshotStore> store,
                     ProjectorOptions options)
    : view_(std::move(view)),
      store_(std::move(store)),
      options_(options),
      last_checkpoint_(std::chrono::steady_clock::now()) {}

Result<std::unique_ptr<Projector>> Projector::open(std::unique_ptr<View> view,
                                                   const std::string& directory,
                                                   ProjectorOptions options,
                                                   std::vector<std::string>& report) {
  // A view is derived state: a damaged store is set aside and the view rebuilt from the log.
  Result<std::unique_ptr<SnapshotStore>> store =
      SnapshotStore::open_derived(directory, SnapshotStoreOptions{false, options.sync}, report);
  if (!store.is_ok()) return store.status();
  // Newest first; a snapshot this build cannot decode is skipped like a damaged one.
  Seq at_most{UINT64_MAX};
  for (;;) {
    Result<std::optional<SnapshotStore::Snapshot>> newest =
        store.value()->load_newest(report, at_most);
    if (!newest.is_ok()) return newest.status();
    if (!newest.value()) break;
    const Status decoded = view->decode(newest.value()->payload);
    if (decoded.is_ok() && view->applied_seq() == newest.value()->seq) break;
    report.push_back(std::string(view->name()) + ": snapshot at seq " +
                     std::to_string(newest.value()->seq.value) +
                     " skipped: " + (decoded.is_ok() ? "seq mismatch" : decoded.message()));
    view->reset();
    if (newest.value()->seq.value == 0) break;
    at_most = Seq{newest.value()->seq.value - 1};
  }
  std::unique_ptr<Projector> projector(
      new Projector(std::move(view), std::move(store).value(), options));
  projector->applied_seq_.store(projector->view_->applied_seq().value);
  projector->checkpoint_seq_.store(projector->view_->applied_seq().value);
  return projector;
}

std::unique_ptr<Projector> Projector::in_memory(std::unique_ptr<View> view) {
  return std::unique_ptr<Projector>(new Projector(std::move(view), nullptr, ProjectorOptions{}));
}

OfferResult Projector::offer(std::span<const v1::Envelope> events) {
  OfferResult result;
  std::unique_lock lock(mutex_);
  for (const v1::Envelope& event : events) {
    const Seq applied = view_->applied_seq();
    if (event.seq() <= applied.value) continue;  // already folded in
    if (event.seq() != applied.value + 1) {
      result.gap = true;
      break;
    }
    view_->apply(event);
    ++result.applied_count;
  }
  result.applied = view_->applied_seq();
  lock.unlock();
  note_applied(result.applied_count);
  return result;
}

void Projector::note_applied(std::size_t count) {
  applied_seq_.store(view_->applied_seq().value, std::memory_order_release);
  events_applied_.fetch_add(count, std::memory_order_relaxed);
}

void Projector::observe_head(Seq head, std::int64_t now_ms) {
  if (applied_seq() >= head) {
    behind_since_ms_.store(0);
  } else if (behind_since_ms_.load() == 0) {
    behind_since_ms_.store(now_ms);
  }
}

std::int64_t Projector::lag_ms(std::int64_t now_ms) const {
  const std::int64_t since = behind_since_ms_.load();
  return since == 0 ? 0 : now_ms - since;
}

Status Projector::checkpoint(bool quiet, bool force) {
  if (store_ == nullptr) return Status::ok();
  const Seq applied = applied_seq();
  const std::uint64_t pending = applied.value - checkpoint_seq_.load();
  if (pending == 0) return Status::ok();
  const auto now = std::chrono::steady_clock::now();
  const bool due = force || pending >= options_.checkpoint_events_max ||
                   (quiet && now - last_checkpoint_ >= options_.checkpoint_interval);
  if (!due) return Status::ok();
  // Only this (the source) thread changes the view, so a shared lock gives a stable state
  // while queries go on.
  std::string payload;
  Seq seq;
  {
    std::shared_lock lock(mutex_);
    payload = view_->encode();
    seq = view_->applied_seq();
  }
  if (Status written = store_->write(seq, payload); !written.is_ok()) return written;
  last_checkpoint_ = now;
  checkpoint_seq_.store(seq.value);
  return store_->prune(options_.snapshots_kept);
}

}  // namespace turno::projections
