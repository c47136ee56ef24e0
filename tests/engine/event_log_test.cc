// The RocksDB event log: append, read back, chain, indexes, and what it refuses.
#include "event_log.h"

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include "log_format.h"
#include "raw_log.h"
#include "sha256.h"
#include "temp_dir.h"

using namespace turno;
using namespace turno::testing;

namespace {

v1::Envelope event(const std::string& stream, std::uint64_t version, const std::string& booking) {
  v1::Envelope envelope;
  envelope.set_stream(stream);
  envelope.set_stream_version(version);
  envelope.set_tenant_id("t1");
  envelope.set_command_id("cmd-" + booking);
  envelope.mutable_checked_in()->set_booking_id(booking);
  return envelope;
}

std::unique_ptr<EventLog> open_log(const std::string& path, LogOptions options = {}) {
  auto log = EventLog::open(path, options);
  REQUIRE(log.is_ok());
  return std::move(log).value();
}

void append(EventLog& log, int count, const std::string& stream, std::uint64_t first_version) {
  AppendBatch batch = log.begin_batch();
  for (int i = 0; i < count; ++i) {
    v1::Envelope envelope =
        event(stream, first_version + static_cast<std::uint64_t>(i), "b" + std::to_string(i));
    batch.add(envelope);
  }
  REQUIRE(log.commit(std::move(batch)).is_ok());
}

// Rewrites the raw value of one record, as an attacker with disk access would.
void tamper(const std::string& path, Seq seq, const std::function<void(std::string&)>& edit) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families = turno::testing::raw_log_families();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &db).ok());
  std::string value;
  REQUIRE(db->Get({}, handles[1], log_format::event_key(seq), &value).ok());
  edit(value);
  REQUIRE(db->Put({}, handles[1], log_format::event_key(seq), value).ok());
  for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
  delete db;
}

}  // namespace

TEST_CASE("appended events read back in order with a verified chain") {
  TempDir dir;
  auto log = open_log(dir.path());
  CHECK(log->last_seq() == Seq{0});
  CHECK(log->log_id().size() == 32);
  append(*log, 3, "t1/booking/a", 1);
  append(*log, 2, "t1/booking/a", 4);
  CHECK(log->last_seq() == Seq{5});

  LogCursor cursor = log->read(Seq{1}, Seq{UINT64_MAX}, /*verify_hashes=*/true);
  Hash previous{};
  std::uint64_t expected = 1;
  while (cursor.next()) {
    const LogRecord& record = cursor.record();
    CHECK(record.seq.value == expected);
    CHECK(record.envelope.prev_hash() == std::string(as_bytes(previous)));
    CHECK(record.hash == chain_hash(previous, record.envelope_bytes));
    previous = record.hash;
    ++expected;
  }
  CHECK(cursor.status().is_ok());
  CHECK(expected == 6);
  CHECK(previous == log->last_hash());

  // Reading from the middle checks the link to the record before it.
  LogCursor middle = log->read(Seq{4}, Seq{4});
  REQUIRE(middle.next());
  CHECK(middle.record().envelope.checked_in().booking_id() == "b0");
  CHECK_FALSE(middle.next());
  CHECK(middle.status().is_ok());
}

TEST_CASE("the stream index lists a stream's seqs by version") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, 2, "t1/booking/a", 1);
  append(*log, 1, "t1/booking/ab", 1);  // a prefix-sharing name stays separate
  append(*log, 1, "t1/booking/a", 3);
  auto seqs = log->stream_seqs("t1/booking/a");
  REQUIRE(seqs.is_ok());
  REQUIRE(seqs.value().size() == 3);
  CHECK(seqs.value()[2] == Seq{4});
  auto later = log->stream_seqs("t1/booking/a", 2);
  REQUIRE(later.is_ok());
  CHECK(later.value().size() == 2);
  CHECK(log->stream_seqs("t1/booking/zzz").value().empty());
  // A started stream by its first entry, without reading it; a name sharing a prefix is not.
  CHECK(log->stream_started("t1/booking/a").value());
  CHECK(log->stream_started("t1/booking/ab").value());
  CHECK_FALSE(log->stream_started("t1/booking/zzz").value());
  CHECK_FALSE(log->stream_started("t1/booking/").value());
  CHECK_FALSE(log->stream_started("t1/booking/abc").value());
}

TEST_CASE("outcomes are stored with their batch and found again after reopening") {
  TempDir dir;
  Hash tail{};
  {
    auto log = open_log(dir.path());
    AppendBatch batch = log->begin_batch();
    v1::Envelope envelope = event("t1/booking/a", 1, "a");
    batch.add(envelope);
    v1::CommandOutcome outcome;
    outcome.set_first_seq(1);
    outcome.set_last_seq(1);
    outcome.set_fingerprint("fp");
    batch.put_outcome("t1", "key-1", outcome);
    REQUIRE(log->commit(std::move(batch)).is_ok());
    tail = log->last_hash();
  }
  auto log = open_log(dir.path());
  CHECK(log->last_seq() == Seq{1});
  CHECK(log->last_hash() == tail);
  auto found = log->find_outcome("t1", "key-1");
  REQUIRE(found.is_ok());
  REQUIRE(found.value().has_value());
  CHECK(found.value()->fingerprint() == "fp");
  CHECK_FALSE(log->find_outcome("t2", "key-1").value().has_value());  // keys are per tenant
  std::vector<std::optional<v1::CommandOutcome>> many;
  REQUIRE(
      log->find_outcomes(
             {log_format::outcome_key("t1", "key-1"), log_format::outcome_key("t1", "nope")}, many)
          .is_ok());
  CHECK(many[0].has_value());
  CHECK_FALSE(many[1].has_value());
}

TEST_CASE("a failed commit leaves nothing behind") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, 2, "t1/booking/a", 1);
  log->inject_commit_failures(1);
  AppendBatch batch = log->begin_batch();
  v1::Envelope envelope = event("t1/booking/a", 3, "x");
  batch.add(envelope);
  CHECK_FALSE(log->commit(std::move(batch)).is_ok());
  CHECK(log->last_seq() == Seq{2});
  append(*log, 1, "t1/booking/a", 3);  // the next batch takes the same seq
  CHECK(log->last_seq() == Seq{3});
}

TEST_CASE("a changed byte is caught on read, and a removed record breaks the chain") {
  TempDir dir;
  {
    auto log = open_log(dir.path());
    append(*log, 5, "t1/booking/a", 1);
  }
  SUBCASE("a flipped bit in an envelope's payload: hash mismatch at that seq") {
    tamper(dir.path(), Seq{3}, [](std::string& value) { value.back() ^= 0x01; });
    auto log = open_log(dir.path());
    LogCursor cursor = log->read(Seq{1}, Seq{UINT64_MAX}, true);
    int read = 0;
    while (cursor.next()) ++read;
    CHECK(read == 2);
    CHECK(cursor.status().code() == Status::Code::kCorruption);
    CHECK(cursor.status().message().find("seq 3") != std::string::npos);
  }
  SUBCASE("a record rewritten with a recomputed own hash still breaks the next link") {
    tamper(dir.path(), Seq{2}, [](std::string& value) {
      v1::Envelope envelope;
      REQUIRE(envelope.ParseFromString(value.substr(32)));
      envelope.mutable_checked_in()->set_booking_id("forged");
      std::string bytes;
      envelope.SerializeToString(&bytes);
      Hash previous{};
      std::copy(envelope.prev_hash().begin(), envelope.prev_hash().end(), previous.begin());
      value = std::string(as_bytes(chain_hash(previous, bytes))) + bytes;
    });
    auto log = open_log(dir.path());
    LogCursor cursor = log->read(Seq{1});
    while (cursor.next()) {
    }
    CHECK(cursor.status().message().find("chain broken at seq 3") != std::string::npos);
  }
}

TEST_CASE("a read-only open sees the log and refuses nothing it can read") {
  TempDir dir;
  {
    auto log = open_log(dir.path());
    append(*log, 4, "t1/booking/a", 1);
  }
  LogOptions options;
  options.mode = LogOptions::Mode::kReadOnly;
  auto log = open_log(dir.path(), options);
  CHECK(log->last_seq() == Seq{4});
  CHECK(log->read_only());
  auto missing = EventLog::open(dir.sub("absent"), options);
  CHECK_FALSE(missing.is_ok());
}
