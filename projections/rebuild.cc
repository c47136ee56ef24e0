#include "rebuild.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "snapshot_store.h"
#include "views.h"

namespace turno::projections {
namespace {

// Threads that rebuild at once: each reads and decodes the whole log itself and folds its own
// share of the views straight from the cursor (no hand-off, no copies). Two: the reference
// machine has two cores.
constexpr std::size_t kRebuildThreadsMax = 2;

// What folding one view costs, roughly (measured with turno-bench views): to balance groups.
int weight_of(std::string_view name) {
  if (name == "invoices") return 3;
  if (name == "catalog") return 0;
  return 2;
}

// Views split into groups of about equal weight; each group's views by position in `views`.
std::vector<std::vector<std::size_t>> balance(const std::vector<std::unique_ptr<View>>& views) {
  const std::size_t groups = std::min(kRebuildThreadsMax, std::max<std::size_t>(views.size(), 1));
  std::vector<std::size_t> order(views.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return weight_of(views[a]->name()) > weight_of(views[b]->name());
  });
  std::vector<std::vector<std::size_t>> out(groups);
  std::vector<int> load(groups, 0);
  for (std::size_t index : order) {
    const std::size_t lightest =
        static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    out[lightest].push_back(index);
    load[lightest] += weight_of(views[index]->name()) + 1;
  }
  return out;
}

struct GroupResult {
  Status status;
  Seq last;
  std::uint64_t events = 0;
};

// One group: its own cursor over [1, last], cut at the first event recorded after as_of_ms.
GroupResult fold_group(const EventLog& log, Seq last, std::optional<std::int64_t> as_of_ms,
                       SharedFold& fold, std::atomic<std::uint64_t>& reached,
                       const std::function<void()>& tick) {
  GroupResult result;
  LogCursor cursor = log.read(Seq{1}, last);
  while (cursor.next()) {
    const v1::Envelope& event = cursor.record().envelope;
    if (as_of_ms && event.recorded_at_ms() > *as_of_ms) break;
    fold.apply(event);
    result.last = Seq{event.seq()};
    if ((++result.events & 0xfff) == 0) {
      reached.store(result.last.value, std::memory_order_relaxed);
      if (tick) tick();
    }
  }
  reached.store(result.last.value);
  result.status = cursor.status();
  return result;
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
  const std::vector<std::vector<std::size_t>> groups = balance(result.views);
  std::vector<std::unique_ptr<SharedFold>> folds;
  for (const auto& group : groups) {
    std::vector<View*> members;
    for (std::size_t index : group) members.push_back(result.views[index].get());
    folds.push_back(std::make_unique<SharedFold>(members));
  }
  std::vector<std::atomic<std::uint64_t>> reached(groups.size());
  std::vector<GroupResult> results(groups.size());
  std::uint64_t next_report = options.progress_every;
  // Progress: the slowest group's seq, reported by the calling thread's group.
  auto tick = [&] {
    if (!options.progress) return;
    Seq slowest{UINT64_MAX};
    for (const auto& seq : reached) slowest = std::min(slowest, Seq{seq.load()});
    if (slowest.value >= next_report) {
      options.progress(slowest, last);
      next_report = slowest.value + options.progress_every;
    }
  };
  std::vector<std::thread> helpers;
  for (std::size_t g = 1; g < groups.size(); ++g) {
    helpers.emplace_back([&, g] {
      results[g] = fold_group(log, last, options.as_of_ms, *folds[g], reached[g], nullptr);
    });
  }
  if (!groups.empty())
    results[0] = fold_group(log, last, options.as_of_ms, *folds[0], reached[0], tick);
  for (auto& helper : helpers) helper.join();
  for (const GroupResult& group : results) {
    if (!group.status.is_ok()) return group.status;
  }
  if (!results.empty()) {
    result.last_seq = results[0].last;
    result.events = results[0].events;
  }
  if (options.progress) options.progress(result.last_seq, last);
  return result;
}

Status write_view_snapshot(const View& view, const std::string& directory, bool sync) {
  const std::string staging = directory + ".rebuilding";
  std::error_code error;
  std::filesystem::remove_all(staging, error);
  std::filesystem::create_directories(staging, error);
  if (error) return Status::io_error("rebuild: cannot create " + staging + ": " + error.message());
  {
    Result<std::unique_ptr<SnapshotStore>> store =
        SnapshotStore::open(staging, SnapshotStoreOptions{false, sync});
    if (!store.is_ok()) return store.status();
    if (Status written = store.value()->write(view.applied_seq(), view.encode());
        !written.is_ok()) {
      return written;
    }
  }
  // The store in use by a running node holds its lock: never delete it from under that node.
  if (std::filesystem::exists(directory)) {
    Result<std::unique_ptr<SnapshotStore>> in_use = SnapshotStore::open(directory);
    if (!in_use.is_ok()) {
      return Status::busy("rebuild: " + directory +
                          " is in use (is turno serve running?): " + in_use.status().message());
    }
  }
  std::filesystem::remove_all(directory, error);
  if (!error) std::filesystem::rename(staging, directory, error);
  if (error)
    return Status::io_error("rebuild: cannot replace " + directory + ": " + error.message());
  return Status::ok();
}

}  // namespace turno::projections
