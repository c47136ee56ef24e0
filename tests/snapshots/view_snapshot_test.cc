// View snapshots: for every view, the state restored from a snapshot at seq S plus the events
// after S has the digest of a full replay of the same log — through the real snapshot store
// and projector runtime. A damaged newest snapshot falls back to an older one.
#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <fstream>

#include "big_endian.h"
#include "engine.h"
#include "history_fixture.h"
#include "projector.h"
#include "rebuild.h"
#include "snapshot_format.h"
#include "temp_dir.h"
#include "views.h"

using namespace turno;
using namespace turno::projections;
using namespace turno::testing;

namespace {

std::unique_ptr<EventLog> workload_log(const std::string& directory, std::uint64_t events) {
  ManualClock clock(bench::kWorkloadNowMs);
  {
    EngineOptions options;
    options.log.sync = false;
    auto engine = Engine::open(directory, clock, options);
    REQUIRE_MESSAGE(engine.is_ok(), engine.status().message());
    write_workload_events(engine.value()->writer(), events);
  }
  auto log = EventLog::open(directory, {LogOptions::Mode::kReadOnly});
  REQUIRE(log.is_ok());
  return std::move(log).value();
}

std::unique_ptr<View> rebuilt(const EventLog& log, std::string_view name, Seq as_of) {
  RebuildOptions options;
  options.views = {std::string(name)};
  options.as_of_seq = as_of;
  Result<RebuildResult> result = rebuild_views(log, options);
  REQUIRE_MESSAGE(result.is_ok(), result.status().message());
  REQUIRE(result.value().views.size() == 1);
  return std::move(result.value().views[0]);
}

// Offers the log's events after the projector's seq, in batches.
void catch_up(Projector& projector, const EventLog& log) {
  constexpr std::size_t kBatch = 100;
  std::vector<v1::Envelope> batch;
  LogCursor cursor = log.read(projector.applied_seq().next());
  while (cursor.next()) {
    batch.push_back(cursor.record().envelope);
    if (batch.size() == kBatch) {
      REQUIRE_FALSE(projector.offer(batch).gap);
      batch.clear();
    }
  }
  REQUIRE(cursor.status().is_ok());
  REQUIRE_FALSE(projector.offer(batch).gap);
}

}  // namespace

TEST_CASE("for every view, snapshot at S plus the tail has the digest of a full replay") {
  TempDir dir;
  auto log = workload_log(dir.sub("log"), 600);
  const Seq tail = log->last_seq();
  const Seq middle{tail.value / 2};
  for (std::string_view name : view_names()) {
    INFO(name);
    const Hash full = rebuilt(*log, name, tail)->digest();
    const std::string store = dir.sub("views/" + std::string(name));
    REQUIRE(write_view_snapshot(*rebuilt(*log, name, middle), store, false).is_ok());
    std::vector<std::string> report;
    auto projector = Projector::open(make_view(name), store, {}, report);
    REQUIRE_MESSAGE(projector.is_ok(), projector.status().message());
    CHECK(report.empty());
    CHECK(projector.value()->applied_seq() == middle);  // restored, not replayed
    catch_up(*projector.value(), *log);
    CHECK(projector.value()->applied_seq() == tail);
    CHECK(to_hex(projector.value()->digest()) == to_hex(full));
  }
}

TEST_CASE("a view whose newest snapshot is damaged falls back to the older one") {
  TempDir dir;
  auto log = workload_log(dir.sub("log"), 300);
  const Seq tail = log->last_seq();
  const std::string name(view_names().front());
  const std::string store_dir = dir.sub("views/" + name);
  REQUIRE(write_view_snapshot(*rebuilt(*log, name, Seq{100}), store_dir, false).is_ok());
  {
    auto store = SnapshotStore::open(store_dir).value();
    REQUIRE(store->write(Seq{200}, rebuilt(*log, name, Seq{200})->encode()).is_ok());
  }
  {  // a byte of the newest snapshot changes on disk, under the store's checksum
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::Options(), store_dir, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string key(1, snapshot_format::kChunkPrefix);
    big_endian::append_u64(key, 200);
    big_endian::append_u32(key, 0);  // the first chunk
    std::string chunk;
    REQUIRE(db->Get({}, key, &chunk).ok());
    chunk[chunk.size() / 2] ^= 0x01;
    REQUIRE(db->Put({}, key, chunk).ok());
  }
  std::vector<std::string> report;
  auto projector = Projector::open(make_view(name), store_dir, {}, report);
  REQUIRE(projector.is_ok());
  CHECK(projector.value()->applied_seq() == Seq{100});
  CHECK(report.size() == 1);
  catch_up(*projector.value(), *log);
  CHECK(to_hex(projector.value()->digest()) == to_hex(rebuilt(*log, name, tail)->digest()));
}

TEST_CASE("a view whose store is damaged is moved aside and rebuilt, not a start-up failure") {
  TempDir dir;
  auto log = workload_log(dir.sub("log"), 300);
  const std::string name(view_names().front());
  const std::string store_dir = dir.sub("views/" + name);
  REQUIRE(write_view_snapshot(*rebuilt(*log, name, Seq{100}), store_dir, false).is_ok());
  {  // RocksDB's CURRENT names no MANIFEST any more: the store does not open
    std::ofstream current(store_dir + "/CURRENT", std::ios::trunc);
    current << "garbage";
  }
  std::vector<std::string> report;
  auto projector = Projector::open(make_view(name), store_dir, {}, report);
  REQUIRE_MESSAGE(projector.is_ok(), projector.status().message());
  REQUIRE(report.size() == 1);
  CHECK(report[0].find("moved to " + store_dir + ".damaged-1") != std::string::npos);
  CHECK(std::filesystem::exists(store_dir + ".damaged-1/CURRENT"));
  CHECK(projector.value()->applied_seq() == Seq{0});  // nothing served from the damage
  catch_up(*projector.value(), *log);
  CHECK(to_hex(projector.value()->digest()) ==
        to_hex(rebuilt(*log, name, log->last_seq())->digest()));
}
