// What the event log refuses, record by record: every corruption it can meet in its own
// families (a record's key, size, bytes, seq or link; a missing record; a damaged tail; a
// stream index that skips a version; an outcome that does not decode) is reported as
// kCorruption naming where, never served. Damage below RocksDB (WAL, MANIFEST, anchors) is
// log_damage_test's.
#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <functional>

#include "event_log.h"
#include "log_format.h"
#include "raw_log.h"
#include "sha256.h"
#include "temp_dir.h"

using namespace turno;
using namespace turno::testing;

namespace {

enum Family : std::size_t { kEvents = 1, kStreams = 2, kOutcomes = 3 };

v1::Envelope event(std::uint64_t version) {
  v1::Envelope envelope;
  envelope.set_stream("t1/booking/a");
  envelope.set_stream_version(version);
  envelope.set_tenant_id("t1");
  envelope.set_command_id("cmd-" + std::to_string(version));
  envelope.mutable_checked_in()->set_booking_id("a");
  return envelope;
}

// A closed log of `count` events on one stream, with one outcome (command "key-1").
void write_log(const std::string& path, int count) {
  auto opened = EventLog::open(path, LogOptions{});
  REQUIRE(opened.is_ok());
  EventLog& log = *opened.value();
  AppendBatch batch = log.begin_batch();
  for (int i = 1; i <= count; ++i) {
    v1::Envelope envelope = event(static_cast<std::uint64_t>(i));
    batch.add(envelope);
  }
  v1::CommandOutcome outcome;
  outcome.set_first_seq(1);
  outcome.set_last_seq(static_cast<std::uint64_t>(count));
  batch.put_outcome("t1", "key-1", outcome);
  REQUIRE(log.commit(std::move(batch)).is_ok());
  REQUIRE(log.close().is_ok());
}

// Edits one family of a closed log with RocksDB itself, as damage or an attacker would.
// The heads/ anchors are removed: they would (rightly) refuse a changed tail first, and the
// record checks are what these tests are about.
void edit_raw(const TempDir& dir, Family family,
              const std::function<void(rocksdb::DB&, rocksdb::ColumnFamilyHandle*)>& edit) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families = turno::testing::raw_log_families();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.path(), families, &handles, &db).ok());
  edit(*db, handles[family]);
  for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
  delete db;
  std::filesystem::remove_all(std::filesystem::path(dir.path()) / "heads");
}

void put_event(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events, Seq seq,
               const std::string& value) {
  REQUIRE(db.Put({}, events, log_format::event_key(seq), value).ok());
}

std::string raw_event(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events, Seq seq) {
  std::string value;
  REQUIRE(db.Get({}, events, log_format::event_key(seq), &value).ok());
  return value;
}

Status read_all(const EventLog& log) {
  LogCursor cursor = log.read(Seq{1});
  while (cursor.next()) {
  }
  return cursor.status();
}

bool names(const Status& status, const std::string& words) {
  return status.code() == Status::Code::kCorruption &&
         status.message().find(words) != std::string::npos;
}

}  // namespace

TEST_CASE("decode_record refuses each way a stored record can be wrong") {
  v1::Envelope envelope = event(1);
  envelope.set_seq(7);
  envelope.set_prev_hash(std::string(32, '\0'));
  const std::string bytes = envelope.SerializeAsString();
  const std::string value = std::string(32, 'h') + bytes;
  const std::string key = log_format::event_key(Seq{7});
  LogRecord record;
  REQUIRE(decode_record(key, value, Seq{7}, record).is_ok());
  CHECK(record.envelope.seq() == 7);

  CHECK(names(decode_record(key.substr(1), value, Seq{7}, record), "record key is not seq 7"));
  CHECK(names(decode_record(log_format::event_key(Seq{8}), value, Seq{7}, record),
              "record key is not seq 7"));
  CHECK(names(decode_record(key, value.substr(0, 32), Seq{7}, record), "record 7 is truncated"));
  CHECK(names(decode_record(key, std::string(32, 'h') + "\xff\xff\xff", Seq{7}, record),
              "record 7 does not decode"));
  envelope.set_seq(6);
  CHECK(
      names(decode_record(key, std::string(32, 'h') + envelope.SerializeAsString(), Seq{7}, record),
            "record 7 carries seq 6"));
  envelope.set_seq(7);
  envelope.clear_prev_hash();
  CHECK(
      names(decode_record(key, std::string(32, 'h') + envelope.SerializeAsString(), Seq{7}, record),
            "record 7 has no prev_hash"));
}

TEST_CASE("a copied record must be the next seq, chain on, and be a valid envelope") {
  TempDir source_dir;
  TempDir target_dir;
  write_log(source_dir.path(), 3);
  auto source = EventLog::open(source_dir.path(), LogOptions{});
  auto target = EventLog::open(target_dir.path(), LogOptions{});
  REQUIRE(source.is_ok());
  REQUIRE(target.is_ok());
  auto first = source.value()->read_one(Seq{1});
  auto second = source.value()->read_one(Seq{2});
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());

  AppendBatch batch = target.value()->begin_batch();
  CHECK(names(batch.add_copied(second.value()), "copy: record 2 is not the next seq 1"));
  LogRecord forged = first.value();
  forged.envelope.set_prev_hash(std::string(32, 'x'));
  CHECK(names(batch.add_copied(forged), "does not chain onto seq 0"));
  forged = first.value();
  forged.envelope.set_stream(std::string("t1/booking/\0a", 13));
  CHECK(names(batch.add_copied(forged), "is not a valid envelope"));
  forged = first.value();
  forged.envelope.set_stream_version(0);
  CHECK(names(batch.add_copied(forged), "is not a valid envelope"));

  REQUIRE(batch.add_copied(first.value()).is_ok());
  REQUIRE(batch.add_copied(second.value()).is_ok());
  REQUIRE(target.value()->commit(std::move(batch)).is_ok());
  CHECK(target.value()->last_hash() == second.value().hash);
}

TEST_CASE("a record missing in the middle of the log is named, not skipped") {
  TempDir dir;
  write_log(dir.path(), 5);
  edit_raw(dir, kEvents, [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events) {
    REQUIRE(db.Delete({}, events, log_format::event_key(Seq{3})).ok());
  });
  {
    auto log = EventLog::open(dir.path(), LogOptions{});
    REQUIRE(log.is_ok());
    // The iterator meets seq 4 where 3 belongs.
    CHECK(names(read_all(*log.value()), "record key is not seq 3"));
  }
  std::filesystem::remove_all(std::filesystem::path(dir.path()) / "heads");
  edit_raw(dir, kEvents, [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events) {
    REQUIRE(db.Delete({}, events, log_format::event_key(Seq{4})).ok());
    REQUIRE(db.Delete({}, events, log_format::event_key(Seq{5})).ok());
  });
  auto shorter = EventLog::open(dir.path(), LogOptions{});
  REQUIRE(shorter.is_ok());
  CHECK(shorter.value()->last_seq() == Seq{2});
  LogCursor cursor = shorter.value()->read(Seq{1}, Seq{3});
  while (cursor.next()) {
  }
  CHECK(cursor.status().is_ok());  // seq 3 is past the tail: nothing to refuse
  CHECK(shorter.value()->read_one(Seq{3}).status().code() == Status::Code::kNotFound);
}

TEST_CASE("a damaged tail record refuses the open") {
  TempDir dir;
  write_log(dir.path(), 5);
  SUBCASE("its stored hash does not match its bytes") {
    edit_raw(dir, kEvents, [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events) {
      std::string value = raw_event(db, events, Seq{5});
      value[0] = static_cast<char>(value[0] ^ 0x01);
      put_event(db, events, Seq{5}, value);
    });
    CHECK(names(EventLog::open(dir.path(), LogOptions{}).status(), "hash mismatch at tail seq 5"));
  }
  SUBCASE("it does not decode") {
    edit_raw(dir, kEvents, [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events) {
      put_event(db, events, Seq{5}, std::string(40, '\xff'));
    });
    CHECK(names(EventLog::open(dir.path(), LogOptions{}).status(), "record 5 does not decode"));
  }
  SUBCASE("a key that is not a seq sorts last") {
    edit_raw(dir, kEvents, [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events) {
      REQUIRE(db.Put({}, events, std::string(9, '\xff'), "x").ok());
    });
    CHECK(names(EventLog::open(dir.path(), LogOptions{}).status(), "bad tail key"));
  }
}

TEST_CASE("a truncated record before a read's start is named by the link check") {
  TempDir dir;
  write_log(dir.path(), 5);
  edit_raw(dir, kEvents, [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events) {
    put_event(db, events, Seq{2}, "short");
  });
  auto log = EventLog::open(dir.path(), LogOptions{});
  REQUIRE(log.is_ok());
  LogCursor cursor = log.value()->read(Seq{3});
  CHECK_FALSE(cursor.next());
  CHECK(names(cursor.status(), "record 2 is truncated"));
  CHECK(names(log.value()->read_one(Seq{2}).status(), "record 2 is truncated"));
}

TEST_CASE("a stream index that skips a version is refused") {
  TempDir dir;
  write_log(dir.path(), 4);
  edit_raw(dir, kStreams, [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* streams) {
    REQUIRE(db.Delete({}, streams, log_format::stream_key("t1/booking/a", 2)).ok());
  });
  auto log = EventLog::open(dir.path(), LogOptions{});
  REQUIRE(log.is_ok());
  CHECK(names(log.value()->stream_seqs("t1/booking/a").status(),
              "stream t1/booking/a skips version 2"));
  auto from_three = log.value()->stream_seqs("t1/booking/a", 3);
  REQUIRE(from_three.is_ok());
  CHECK(from_three.value().size() == 2);
}

TEST_CASE("an outcome that does not decode is refused by every reader") {
  TempDir dir;
  write_log(dir.path(), 2);
  edit_raw(dir, kOutcomes, [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* outcomes) {
    REQUIRE(db.Put({}, outcomes, log_format::outcome_key("t1", "key-1"), "\xff\xff\xff").ok());
  });
  auto log = EventLog::open(dir.path(), LogOptions{});
  REQUIRE(log.is_ok());
  CHECK(names(log.value()->find_outcome("t1", "key-1").status(), "does not decode"));
  std::vector<std::optional<v1::CommandOutcome>> many;
  CHECK(names(log.value()->find_outcomes({log_format::outcome_key("t1", "key-1")}, many),
              "outcome does not decode"));
  int visited = 0;
  CHECK(names(log.value()->for_each_outcome([&](std::string_view, const v1::CommandOutcome&) {
    ++visited;
    return Status::ok();
  }),
              "outcome does not decode"));
  CHECK(visited == 0);
}

TEST_CASE("an outcome visitor's error stops the walk and is returned as is") {
  TempDir dir;
  write_log(dir.path(), 2);
  auto log = EventLog::open(dir.path(), LogOptions{});
  REQUIRE(log.is_ok());
  const Status stopped =
      log.value()->for_each_outcome([](std::string_view, const v1::CommandOutcome&) {
        return Status::invalid_argument("enough");
      });
  CHECK(stopped.code() == Status::Code::kInvalidArgument);
  CHECK(stopped.message() == "enough");
}
