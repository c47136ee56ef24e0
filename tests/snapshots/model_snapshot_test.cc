// Write-model snapshots: taken by the follower while the writer runs, loaded at start-up with
// only the tail replayed, and never trusted when damaged or foreign.
#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include "big_endian.h"
#include "commands.h"
#include "decide.h"
#include "engine.h"
#include "history_fixture.h"
#include "model_codec.h"
#include "recall.h"
#include "snapshot_format.h"
#include "temp_dir.h"
#include "write_model.pb.h"

using namespace turno;
using namespace turno::testing;

namespace {

struct Paths {
  TempDir dir;
  std::string log() const { return dir.sub("log"); }
  std::string snapshots() const { return dir.sub("snapshots/model"); }
};

ModelSnapshotOptions snapshot_options(const Paths& paths, std::uint64_t every_events,
                                      bool on_stop = true) {
  ModelSnapshotOptions options;
  options.directory = paths.snapshots();
  options.every_events = every_events;
  options.keep = 2;
  options.on_stop = on_stop;
  options.poll_max = std::chrono::milliseconds(10);
  options.sync = false;
  return options;
}

// `snapshots` null: without snapshots.
std::unique_ptr<Engine> open_engine(const Paths& paths, const Clock& clock,
                                    const ModelSnapshotOptions* snapshots) {
  EngineOptions options;
  options.log.sync = false;
  if (snapshots != nullptr) options.model_snapshots.emplace(*snapshots);
  auto engine = Engine::open(paths.log(), clock, options);
  REQUIRE_MESSAGE(engine.is_ok(), engine.status().message());
  return std::move(engine).value();
}

// A history of at least `events` events, then the engine stopped (shutdown snapshot taken).
void write_history(const Paths& paths, const Clock& clock, std::uint64_t events,
                   ModelSnapshotOptions snapshots) {
  auto engine = open_engine(paths, clock, &snapshots);
  write_workload_events(engine->writer(), events);
  engine->stop();
}

// A few more events with snapshots off: a tail after the newest snapshot.
void append_tail(const Paths& paths, const Clock& clock) {
  auto engine = open_engine(paths, clock, nullptr);
  for (int i = 0; i < 5; ++i) {
    const std::string id = "tail-" + std::to_string(i);
    REQUIRE(engine->writer().execute(add_staff("t0", id, id, "s0", {"general"})).accepted());
  }
}

Model fold_until(const EventLog& log, Seq last) {
  Model model;
  LogCursor cursor = log.read(Seq{1}, last);
  while (cursor.next()) REQUIRE(fold_from_log(log, model, cursor.record().envelope).is_ok());
  REQUIRE(cursor.status().is_ok());
  return model;
}

// Opens the engine with snapshots, stops it, and returns its report and the digests of the
// model it started from and of a full replay of the same log.
struct StartUp {
  ModelLoadReport report;
  std::string loaded_digest;
  std::string replayed_digest;
  Seq tail;
};
StartUp start_up(const Paths& paths, const Clock& clock) {
  const ModelSnapshotOptions snapshots = snapshot_options(paths, 1'000'000, false);
  auto engine = open_engine(paths, clock, &snapshots);
  engine->stop();
  StartUp out;
  out.report = engine->load_report();
  out.loaded_digest = to_hex(model_digest(engine->writer().model_when_stopped()));
  Result<Model> replayed = replay_log(engine->log());
  REQUIRE(replayed.is_ok());
  out.replayed_digest = to_hex(model_digest(replayed.value()));
  out.tail = engine->log().last_seq();
  return out;
}

void with_store(const Paths& paths, const std::function<void(SnapshotStore&)>& use) {
  auto store = SnapshotStore::open(paths.snapshots());
  REQUIRE(store.is_ok());
  use(*store.value());
}

std::vector<Seq> stored_seqs(const Paths& paths) {
  std::vector<Seq> seqs;
  with_store(paths, [&](SnapshotStore& store) { seqs = store.list().value(); });
  return seqs;
}

}  // namespace

TEST_CASE("snapshot plus tail gives the same model digest as a full replay") {
  Paths paths;
  ManualClock clock(bench::kWorkloadNowMs);
  write_history(paths, clock, 1500, snapshot_options(paths, 200, /*on_stop=*/false));
  const std::vector<Seq> seqs = stored_seqs(paths);
  REQUIRE(seqs.size() == 2);  // pruned to keep = 2

  append_tail(paths, clock);
  const StartUp started = start_up(paths, clock);
  REQUIRE(started.report.snapshot_seq.has_value());
  CHECK(*started.report.snapshot_seq == seqs.back());
  CHECK(started.report.replayed_events == started.tail.value - seqs.back().value);
  CHECK(started.report.replayed_events >= 5);
  CHECK(started.report.skipped.empty());
  CHECK(started.loaded_digest == started.replayed_digest);
}

TEST_CASE("every snapshot the follower took is the fold of the log up to its seq") {
  Paths paths;
  ManualClock clock(bench::kWorkloadNowMs);
  write_history(paths, clock, 800, snapshot_options(paths, 150));
  auto log = EventLog::open(paths.log()).value();
  with_store(paths, [&](SnapshotStore& store) {
    const std::vector<Seq> seqs = store.list().value();
    REQUIRE(seqs.size() == 2);
    CHECK(seqs.back() == log->last_seq());  // the shutdown snapshot
    for (Seq seq : seqs) {
      v1::ModelSnapshot image;
      REQUIRE(image.ParseFromString(store.read(seq).value().payload));
      CHECK(image.log_id() == log->log_id());
      Result<Model> decoded = decode_model(image.model());
      REQUIRE(decoded.is_ok());
      CHECK(to_hex(model_digest(decoded.value())) == to_hex(model_digest(fold_until(*log, seq))));
    }
  });
}

TEST_CASE("a clean shutdown leaves a snapshot at the tail, so start-up replays nothing") {
  Paths paths;
  ManualClock clock(bench::kWorkloadNowMs);
  write_history(paths, clock, 300, snapshot_options(paths, 1'000'000));
  const StartUp started = start_up(paths, clock);
  REQUIRE(started.report.snapshot_seq.has_value());
  CHECK(*started.report.snapshot_seq == started.tail);
  CHECK(started.report.replayed_events == 0);
  CHECK(started.loaded_digest == started.replayed_digest);
}

TEST_CASE("a damaged or foreign snapshot is reported and skipped, never trusted") {
  Paths paths;
  ManualClock clock(bench::kWorkloadNowMs);
  write_history(paths, clock, 600, snapshot_options(paths, 250));
  const std::vector<Seq> seqs = stored_seqs(paths);
  REQUIRE(seqs.size() == 2);
  const Seq older = seqs.front();
  const Seq newer = seqs.back();

  SUBCASE("a changed byte in the newest: the older one and a longer tail") {
    {
      rocksdb::DB* raw = nullptr;
      rocksdb::Options options;
      REQUIRE(rocksdb::DB::Open(options, paths.snapshots(), &raw).ok());
      std::unique_ptr<rocksdb::DB> db(raw);
      std::string key(1, snapshot_format::kChunkPrefix);
      big_endian::append_u64(key, newer.value);
      big_endian::append_u32(key, 0);  // the first chunk
      std::string chunk;
      REQUIRE(db->Get({}, key, &chunk).ok());
      chunk[chunk.size() / 2] ^= 0x04;
      REQUIRE(db->Put({}, key, chunk).ok());
    }
    const StartUp started = start_up(paths, clock);
    CHECK(started.report.snapshot_seq == older);
    CHECK(started.report.replayed_events == started.tail.value - older.value);
    REQUIRE(started.report.skipped.size() == 1);
    CHECK(started.report.skipped[0].find("checksum mismatch") != std::string::npos);
    CHECK(started.loaded_digest == started.replayed_digest);
  }
  SUBCASE("a snapshot whose log hash differs from the log's history") {
    with_store(paths, [&](SnapshotStore& store) {
      auto log = EventLog::open(paths.log(), {LogOptions::Mode::kReadOnly}).value();
      REQUIRE(write_model_snapshot(store, *log, fold_until(*log, newer), Hash{}, 5).is_ok());
    });
    const StartUp started = start_up(paths, clock);
    CHECK(started.report.snapshot_seq == older);
    REQUIRE(started.report.skipped.size() == 1);
    CHECK(started.report.skipped[0].find("history differs") != std::string::npos);
    CHECK(started.loaded_digest == started.replayed_digest);
  }
  SUBCASE("a model image that breaks an invariant") {
    with_store(paths, [&](SnapshotStore& store) {
      v1::ModelSnapshot image;
      REQUIRE(image.ParseFromString(store.read(newer).value().payload));
      image.mutable_model()->mutable_tenants(0)->mutable_staff(0)->set_site_id("nowhere");
      REQUIRE(store.write(newer, image.SerializeAsString()).is_ok());
    });
    const StartUp started = start_up(paths, clock);
    CHECK(started.report.snapshot_seq == older);
    REQUIRE(started.report.skipped.size() == 1);
    CHECK(started.report.skipped[0].find("model image") != std::string::npos);
  }
  SUBCASE("snapshots of an older format: a full replay") {
    with_store(paths, [&](SnapshotStore& store) {
      for (const Seq seq : {older, newer}) {
        v1::ModelSnapshot image;
        REQUIRE(image.ParseFromString(store.read(seq).value().payload));
        REQUIRE(image.format() == kModelSnapshotFormat);
        // As a build before this format wrote it: its own layout under another number.
        image.set_format(kModelSnapshotFormat - 1);
        REQUIRE(store.write(seq, image.SerializeAsString()).is_ok());
      }
    });
    const StartUp started = start_up(paths, clock);
    CHECK_FALSE(started.report.snapshot_seq.has_value());
    CHECK(started.report.replayed_events == started.tail.value);
    REQUIRE(started.report.skipped.size() == 2);
    CHECK(started.report.skipped[0].find("this build reads format") != std::string::npos);
    CHECK(started.loaded_digest == started.replayed_digest);
  }
  SUBCASE("snapshots of another log: full replay") {
    Paths other;
    write_history(other, clock, 300, snapshot_options(other, 100));
    std::filesystem::remove_all(paths.snapshots());
    std::filesystem::copy(other.snapshots(), paths.snapshots(),
                          std::filesystem::copy_options::recursive);
    const StartUp started = start_up(paths, clock);
    CHECK_FALSE(started.report.snapshot_seq.has_value());
    CHECK(started.report.replayed_events == started.tail.value);
    CHECK(started.report.skipped.size() == 2);
    CHECK(started.report.skipped[0].find("not this one") != std::string::npos);
    CHECK(started.loaded_digest == started.replayed_digest);
  }
}

TEST_CASE("snapshots taken at a seq beyond the log's tail are not used") {
  Paths paths;
  ManualClock clock(bench::kWorkloadNowMs);
  write_history(paths, clock, 300, snapshot_options(paths, 1'000'000));
  const Seq tail = stored_seqs(paths).back();
  with_store(paths, [&](SnapshotStore& store) {
    REQUIRE(store.write(Seq{tail.value + 10}, "from a longer log").is_ok());
  });
  const StartUp started = start_up(paths, clock);
  CHECK(started.report.snapshot_seq == tail);
  CHECK(started.report.skipped.empty());
}
