#include "model_snapshots.h"

#include <google/protobuf/arena.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "clock.h"
#include "data_layout.h"
#include "decide.h"
#include "log_anchor.h"
#include "model_codec.h"
#include "recall.h"
#include "sha256.h"
#include "write_model.pb.h"

namespace turno {
namespace {

Hash hash_from(std::string_view bytes) {
  Hash hash{};
  if (bytes.size() == hash.size()) std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

std::string snapshot_name(Seq seq) {
  return "model snapshot at seq " + std::to_string(seq.value);
}

using Stopwatch = std::chrono::steady_clock;

std::uint64_t ms_since(Stopwatch::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Stopwatch::now() - start).count());
}

// The model in `snapshot`, if it belongs to `log` and decodes; else why not. The image is
// parsed on an arena: one allocation for its many small messages, freed at once.
Result<Model> model_from_snapshot(const EventLog& log, const SnapshotStore::Snapshot& snapshot) {
  const std::string name = snapshot_name(snapshot.seq);
  google::protobuf::Arena arena;
  auto* image = google::protobuf::Arena::CreateMessage<v1::ModelSnapshot>(&arena);
  if (!image->ParseFromString(snapshot.payload)) {
    return Status::corruption(name + ": payload does not decode");
  }
  if (image->log_id() != log.log_id()) {
    return Status::corruption(name + ": taken from log " + image->log_id() + ", not this one");
  }
  if (image->format() != kModelSnapshotFormat) {
    return Status::corruption(name + ": format " + std::to_string(image->format()) +
                              ", this build reads format " + std::to_string(kModelSnapshotFormat) +
                              " (the log is replayed)");
  }
  if (image->seq() != snapshot.seq.value || image->model().last_seq() != snapshot.seq.value) {
    return Status::corruption(name + ": payload names another seq");
  }
  Result<LogRecord> record = log.read_one(snapshot.seq);
  if (!record.is_ok()) return Status::corruption(name + ": " + record.status().message());
  if (record.value().hash != hash_from(image->log_hash())) {
    return Status::corruption(name + ": the log's history differs at that seq");
  }
  Result<Model> model = decode_model(image->model());
  if (!model.is_ok()) return Status::corruption(name + ": " + model.status().message());
  return model;
}

// The newest snapshot at or below `at_most` that gives a model, with `report` filled in.
std::optional<Model> newest_usable_snapshot(const EventLog& log, const SnapshotStore& store,
                                            Seq at_most, ModelLoadReport& report) {
  while (true) {
    SnapshotStore::Report skipped;
    const auto read_start = Stopwatch::now();
    Result<std::optional<SnapshotStore::Snapshot>> found = store.load_newest(skipped, at_most);
    report.read_ms += ms_since(read_start);
    report.skipped.insert(report.skipped.end(), skipped.begin(), skipped.end());
    if (!found.is_ok()) {
      report.skipped.push_back(found.status().message());
      return std::nullopt;
    }
    if (!found.value().has_value()) return std::nullopt;
    const SnapshotStore::Snapshot& snapshot = *found.value();
    report.snapshot_bytes = snapshot.payload.size();
    const auto decode_start = Stopwatch::now();
    Result<Model> model = model_from_snapshot(log, snapshot);
    report.decode_ms += ms_since(decode_start);
    if (model.is_ok()) {
      report.snapshot_seq = snapshot.seq;
      return std::move(model).value();
    }
    report.skipped.push_back(model.status().message());
    if (snapshot.seq.value == 0) return std::nullopt;
    at_most = Seq{snapshot.seq.value - 1};
  }
}

std::string encode_snapshot(const EventLog& log, const Model& model, const Hash& hash_at_seq) {
  v1::ModelSnapshot image;
  image.set_log_id(log.log_id());
  image.set_seq(model.last_seq.value);
  image.set_log_hash(std::string(as_bytes(hash_at_seq)));
  image.set_format(kModelSnapshotFormat);
  *image.mutable_model() = encode_model(model);
  std::string bytes;
  VERIFY(image.SerializeToString(&bytes), "model snapshot serializes");
  return bytes;
}

}  // namespace

Result<Model> load_model(const EventLog& log, const SnapshotStore* store, ModelLoadReport& report) {
  report = {};
  const Seq tail = log.last_seq();
  Model start;
  if (store != nullptr) {
    if (std::optional<Model> found = newest_usable_snapshot(log, *store, tail, report)) {
      start = std::move(*found);
    }
  }
  const Seq from = start.last_seq;
  const auto replay_start = Stopwatch::now();
  Result<Model> model = replay_log(log, std::move(start));
  report.replay_ms = ms_since(replay_start);
  if (model.is_ok()) report.replayed_events = model.value().last_seq.value - from.value;
  return model;
}

ModelSnapshotOptions model_snapshot_options_for(const std::string& data_directory) {
  ModelSnapshotOptions options;
  options.directory = data_layout::model_snapshot_directory(data_directory);
  return options;
}

void report_skipped_snapshots(const ModelLoadReport& report) {
  for (const std::string& line : report.skipped) {
    std::fprintf(stderr, "snapshots: skipped: %s\n", line.c_str());
  }
}

Result<std::shared_ptr<SnapshotStore>> open_model_store(const ModelSnapshotOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(options.directory, error);
  if (error) {
    return Status::io_error("snapshots: create " + options.directory + ": " + error.message());
  }
  SnapshotStoreOptions store_options;
  store_options.sync = options.sync;
  // Derived state: a damaged store is set aside and the model is replayed from the log.
  std::vector<std::string> warnings;
  Result<std::unique_ptr<SnapshotStore>> store =
      SnapshotStore::open_derived(options.directory, store_options, warnings);
  if (!store.is_ok()) return store.status();
  return std::shared_ptr<SnapshotStore>(std::move(store).value());
}

ModelLoader snapshot_model_loader(std::shared_ptr<const SnapshotStore> store) {
  return [store = std::move(store)](const EventLog& log) {
    ModelLoadReport report;
    Result<Model> model = load_model(log, store.get(), report);
    report_skipped_snapshots(report);
    return model;
  };
}

Status write_model_snapshot(SnapshotStore& store, const EventLog& log, const Model& model,
                            const Hash& hash_at_seq, std::size_t keep) {
  const std::string payload = encode_snapshot(log, model, hash_at_seq);
  if (Status status = store.write(model.last_seq, payload); !status.is_ok()) return status;
  return store.prune(keep);
}

// --------------------------------------------------------------------------- ModelSnapshotter

ModelSnapshotter::ModelSnapshotter(const EventLog& log, std::shared_ptr<SnapshotStore> store,
                                   ModelSnapshotOptions options)
    : log_(log),
      store_(std::move(store)),
      options_(std::move(options)),
      subscription_(log, {options_.batch_events_max, options_.poll_max, options_.poll_max}) {
  VERIFY(options_.every_events > 0, "snapshots every 0 events");
}

bool ModelSnapshotter::load_start() {
  Result<std::vector<Seq>> taken = store_->list();
  if (!taken.is_ok()) {
    record_error("listing the snapshots: " + taken.status().message());
    return false;
  }
  // The newest snapshot, valid or not: a damaged one is replaced at the next point anyway.
  last_snapshot_seq_ = Seq{0};
  for (Seq seq : taken.value()) last_snapshot_seq_ = std::max(last_snapshot_seq_, seq);
  followed_ = log_.last_seq();
  stats_.followed_seq.store(followed_.value);
  stats_.last_snapshot_seq.store(last_snapshot_seq_.value);
  return true;
}

ModelSnapshotter::~ModelSnapshotter() {
  stop();
}

void ModelSnapshotter::start() {
  VERIFY(!thread_.joinable(), "a snapshotter starts once");
  thread_ = std::thread([this] { run(); });
}

void ModelSnapshotter::stop() {
  subscription_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string ModelSnapshotter::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void ModelSnapshotter::record_error(const std::string& message) {
  std::fprintf(stderr, "snapshots: %s\n", message.c_str());
  std::lock_guard lock(mutex_);
  last_error_ = message;
}

Seq ModelSnapshotter::next_snapshot_at() const {
  return Seq{last_snapshot_seq_.value + options_.every_events};
}

void ModelSnapshotter::run() {
  while (!load_start()) {
    if (subscription_.wait_for_stop(options_.poll_max)) return;
  }
  // apply() never fails: following ends with stop().
  subscription_.follow(*this).ignore();
  // Clean shutdown: everything committed is read, then one last snapshot. A read error
  // (recorded by read_failed) leaves that snapshot out.
  if (!subscription_.catch_up(*this).is_ok()) return;
  if (options_.on_stop && followed_ > last_snapshot_seq_) take_snapshot();
}

// The next snapshot point while it lies ahead; once passed (a store far behind the log), no
// cap: the snapshot is taken at the next checkpoint.
Seq ModelSnapshotter::until() const {
  const Seq at = next_snapshot_at();
  return at > followed_ ? at : kLogEnd;
}

Status ModelSnapshotter::apply(LogBatch batch) {
  if (!batch.records.empty()) followed_ = batch.records.back().seq;
  stats_.followed_seq.store(followed_.value);
  return Status::ok();
}

// A snapshot when the point is reached: after the batch that reaches it, or when idle with a
// store that is behind.
void ModelSnapshotter::checkpoint(Checkpoint) {
  if (followed_ >= next_snapshot_at()) take_snapshot();
}

void ModelSnapshotter::read_failed(const Status& error) {
  record_error("following the log: " + error.message());
}

void ModelSnapshotter::take_snapshot() {
  build_and_write_snapshot();
  // The model built for the snapshot is gone: hand its pages back to the system now, or glibc
  // keeps them in this thread's arena until the next snapshot and the node's RSS holds a
  // second model after all.
  malloc_trim(0);
}

void ModelSnapshotter::build_and_write_snapshot() {
  // A failure still moves the next attempt on by every_events, so a broken store does not
  // turn into a snapshot attempt per commit.
  const Seq attempted = followed_;
  ModelLoadReport report;
  Result<Model> loaded = load_model(log_, store_.get(), report);
  for (const std::string& line : report.skipped) record_error("skipped: " + line);
  Hash hash{};
  Status status = loaded.status();
  if (status.is_ok() && loaded.value().last_seq.value > 0) {
    Result<LogRecord> record = log_.read_one(loaded.value().last_seq);
    status = record.status();
    if (record.is_ok()) hash = record.value().hash;
  }
  if (!status.is_ok()) {
    last_snapshot_seq_ = attempted;
    stats_.snapshot_failures.fetch_add(1);
    record_error("model snapshot at seq " + std::to_string(attempted.value) + ": " +
                 status.message());
    return;
  }
  const Model model = std::move(loaded).value();
  last_snapshot_seq_ = std::max(attempted, model.last_seq);
  if (model.last_seq == Seq{0}) return;  // an empty log: nothing to keep
  status = write_model_snapshot(*store_, log_, model, hash, options_.keep);
  if (!status.is_ok()) {
    stats_.snapshot_failures.fetch_add(1);
    record_error("model snapshot at seq " + std::to_string(model.last_seq.value) + ": " +
                 status.message());
    return;
  }
  stats_.snapshots_written.fetch_add(1);
  stats_.last_snapshot_seq.store(model.last_seq.value);
  // The snapshotter read this head from the log itself: a witness the log may never fall
  // below (log_anchor.h). A failure to write it is reported like a failed snapshot.
  HeadAnchor anchor;
  anchor.witness = std::string(kModelSnapshotWitness);
  anchor.log_id = log_.log_id();
  anchor.seq = model.last_seq;
  anchor.hash = hash;
  anchor.written_at_ms = SystemClock().now_ms();
  if (Status anchored = write_head_anchor(log_.directory(), anchor); !anchored.is_ok()) {
    stats_.snapshot_failures.fetch_add(1);
    record_error("head anchor at seq " + std::to_string(model.last_seq.value) + ": " +
                 anchored.message());
  }
}

}  // namespace turno
