#include "rebuild.h"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "snapshot_store.h"
#include "views.h"

namespace turno::projections {
namespace {

// Records handed from the reading thread to the applying one per batch, and batches in
// flight: enough to keep both threads busy, bounded in memory (~ 2 x 4096 envelopes).
constexpr std::size_t kBatchEvents = 4096;
constexpr std::size_t kBatchesInFlight = 2;

struct Batch {
  std::vector<v1::Envelope> events;
  std::size_t size = 0;  // events in use (the vector keeps its messages for reuse)
};

// A bounded hand-off between the reader and the applier: full batches one way, empty ones
// back, so envelopes' memory is reused.
class BatchPipe {
 public:
  BatchPipe() {
    for (std::size_t i = 0; i < kBatchesInFlight + 1; ++i) free_.push_back(std::make_unique<Batch>());
  }
  std::unique_ptr<Batch> take_free() { return take(free_); }
  void give_full(std::unique_ptr<Batch> batch) { give(full_, std::move(batch)); }
  std::unique_ptr<Batch> take_full() { return take(full_); }
  void give_free(std::unique_ptr<Batch> batch) { give(free_, std::move(batch)); }
  // No more full batches will come (reader done or failed).
  void close() {
    { std::lock_guard lock(mutex_); closed_ = true; }
    changed_.notify_all();
  }

 private:
  using Queue = std::deque<std::unique_ptr<Batch>>;
  std::unique_ptr<Batch> take(Queue& queue) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !queue.empty() || (closed_ && &queue == &full_); });
    if (queue.empty()) return nullptr;
    std::unique_ptr<Batch> batch = std::move(queue.front());
    queue.pop_front();
    return batch;
  }
  void give(Queue& queue, std::unique_ptr<Batch> batch) {
    { std::lock_guard lock(mutex_); queue.push_back(std::move(batch)); }
    changed_.notify_all();
  }
  std::mutex mutex_;  // guards free_, full_, closed_
  std::condition_variable changed_;
  Queue free_;
  Queue full_;
  bool closed_ = false;
};

// The reading thread: records up to `last`, cut at the first one recorded after as_of_ms.
Status read_into(const EventLog& log, Seq last, std::optional<std::int64_t> as_of_ms,
                 BatchPipe& pipe) {
  LogCursor cursor = log.read(Seq{1}, last);
  std::unique_ptr<Batch> batch = pipe.take_free();
  bool more = cursor.next();
  while (more) {
    const v1::Envelope& envelope = cursor.record().envelope;
    if (as_of_ms && envelope.recorded_at_ms() > *as_of_ms) break;
    if (batch->size == batch->events.size()) batch->events.emplace_back();
    batch->events[batch->size++] = envelope;
    more = cursor.next();
    if (batch->size == kBatchEvents || !more) {
      pipe.give_full(std::move(batch));
      batch = pipe.take_free();
      batch->size = 0;
    }
  }
  if (batch->size > 0) pipe.give_full(std::move(batch));
  pipe.close();
  return cursor.status();
}

}  // namespace

Result<RebuildResult> rebuild_views(const EventLog& log, const RebuildOptions& options) {
  RebuildResult result;
  std::vector<std::string> names = options.views;
  if (names.empty()) names.assign(view_names().begin(), view_names().end());
  for (const std::string& name : names) {
    std::unique_ptr<View> view = make_view(name);
    if (view == nullptr) return Status::invalid_argument("no view named " + name);
    result.views.push_back(std::move(view));
  }
  const Seq last = std::min(options.as_of_seq, log.last_seq());
  BatchPipe pipe;
  Status read_status;
  std::thread reader([&] { read_status = read_into(log, last, options.as_of_ms, pipe); });
  std::uint64_t next_report = options.progress_every;
  while (std::unique_ptr<Batch> batch = pipe.take_full()) {
    for (std::size_t i = 0; i < batch->size; ++i) {
      for (auto& view : result.views) view->apply(batch->events[i]);
    }
    result.events += batch->size;
    result.last_seq = Seq{batch->events[batch->size - 1].seq()};
    batch->size = 0;
    pipe.give_free(std::move(batch));
    if (options.progress && result.events >= next_report) {
      options.progress(result.last_seq, last);
      next_report += options.progress_every;
    }
  }
  reader.join();
  if (!read_status.is_ok()) return read_status;
  if (options.progress) options.progress(result.last_seq, last);
  return result;
}

Status write_view_snapshot(const View& view, const std::string& directory, bool sync) {
  std::error_code error;
  std::filesystem::remove_all(directory, error);
  if (error) return Status::io_error("rebuild: cannot clear " + directory + ": " + error.message());
  std::filesystem::create_directories(directory, error);
  if (error) return Status::io_error("rebuild: cannot create " + directory + ": " + error.message());
  Result<std::unique_ptr<SnapshotStore>> store =
      SnapshotStore::open(directory, SnapshotStoreOptions{false, sync});
  if (!store.is_ok()) return store.status();
  return store.value()->write(view.applied_seq(), view.encode());
}

}  // namespace turno::projections
