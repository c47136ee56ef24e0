// `turno repair`: a damaged log is rebuilt from a backup, verified, and opens again; a source
// that lacks acknowledged events, or that forked from the local history, changes nothing.
#include "log_repair.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "backup.h"
#include "log_anchor.h"
#include "log_format.h"
#include "temp_dir.h"

using namespace turno;
using namespace turno::testing;
namespace fs = std::filesystem;

namespace {

constexpr int kEventsPerBatch = 20;

// Appends `batches` batches, each with one outcome per event, to the log in `path`.
void append(EventLog& log, int batches, const std::string& tag) {
  for (int b = 0; b < batches; ++b) {
    AppendBatch batch = log.begin_batch();
    for (int i = 0; i < kEventsPerBatch; ++i) {
      const std::uint64_t n = log.last_seq().value + static_cast<std::uint64_t>(i) + 1;
      v1::Envelope envelope;
      envelope.set_stream("t1/booking/" + tag + std::to_string(n));
      envelope.set_stream_version(1);
      envelope.set_tenant_id("t1");
      envelope.set_command_id(tag + "-cmd-" + std::to_string(n));
      envelope.set_recorded_at_ms(1000 + static_cast<std::int64_t>(n));
      envelope.mutable_checked_in()->set_booking_id(tag + std::to_string(n));
      const Seq seq = batch.add(envelope);
      v1::CommandOutcome outcome;
      outcome.set_first_seq(seq.value);
      outcome.set_last_seq(seq.value);
      outcome.set_fingerprint("fp");
      batch.put_outcome("t1", envelope.command_id(), outcome);
    }
    REQUIRE(log.commit(std::move(batch)).is_ok());
  }
}

// In a child that dies without closing (a crash): the WAL is the only copy of these commits.
void append_and_crash(const std::string& path, int batches) {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    LogOptions options;
    options.head_anchor_interval = std::chrono::milliseconds(1);
    auto log = EventLog::open(path, options);
    if (!log.is_ok()) _exit(3);
    append(*log.value(), batches, "b");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the anchor names the head
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

void damage_wal(const std::string& path) {
  fs::path largest;
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().extension() != ".log") continue;
    if (largest.empty() || entry.file_size() > fs::file_size(largest)) largest = entry.path();
  }
  REQUIRE_FALSE(largest.empty());
  std::fstream io(largest, std::ios::in | std::ios::out | std::ios::binary);
  const auto middle = static_cast<std::streamoff>(fs::file_size(largest) / 2);
  io.seekg(middle);
  char byte = 0;
  io.get(byte);
  io.seekp(middle);
  io.put(static_cast<char>(byte ^ 0x3c));
}

BackupManifest backup(const std::string& data, const std::string& to) {
  BackupOptions options;
  options.now_ms = 42;
  auto report = take_backup(data, to, options);
  REQUIRE(report.is_ok());
  return report.value().manifest;
}

Result<RepairReport> repair_from(const std::string& data, const std::string& backup_dir) {
  auto source = backup_record_source(backup_dir);
  REQUIRE(source.is_ok());
  RepairOptions options;
  options.now_ms = 7;
  return repair_log(data, {source.value().get()}, options);
}

// A log of 40 batches (800 events) closed cleanly, then 10 more batches (200) lost in the WAL.
struct DamagedLog {
  TempDir dir;
  std::string data = dir.sub("data");
  std::string log_id;
  DamagedLog() {
    auto log = EventLog::open(data);
    REQUIRE(log.is_ok());
    append(*log.value(), 40, "a");
    log_id = log.value()->log_id();
  }
};

}  // namespace

TEST_CASE("a log with a damaged WAL is rebuilt from a backup that holds every event") {
  DamagedLog damaged;
  backup(damaged.data, damaged.dir.sub("old-backup"));  // seq 800
  append_and_crash(damaged.data, 10);                   // seq 801-1000, only in the WAL
  backup(damaged.data, damaged.dir.sub("new-backup"));  // seq 1000
  damage_wal(damaged.data);
  REQUIRE_FALSE(EventLog::open(damaged.data).is_ok());

  SUBCASE("the old backup lacks acknowledged events: refused, nothing changed") {
    auto report = repair_from(damaged.data, damaged.dir.sub("old-backup"));
    REQUIRE_FALSE(report.is_ok());
    CHECK(report.status().message().find("do not hold every acknowledged event") !=
          std::string::npos);
    CHECK(report.status().message().find("-1000 are lost") != std::string::npos);
    CHECK_FALSE(EventLog::open(damaged.data).is_ok());  // still refused, not served shorter
    CHECK_FALSE(fs::exists(damaged.data + "/repair.partial"));
  }
  SUBCASE("the new backup restores it: the chain verifies, outcomes kept, damage kept aside") {
    auto report = repair_from(damaged.data, damaged.dir.sub("new-backup"));
    REQUIRE(report.is_ok());
    CHECK(report.value().changed);
    CHECK(report.value().log_id == damaged.log_id);
    CHECK(report.value().salvaged_to.value >= 800);
    CHECK(report.value().salvaged_to.value < 1000);
    CHECK(report.value().restored_to == Seq{1000});
    CHECK(fs::exists(report.value().damaged_directory));

    auto log = EventLog::open(damaged.data);
    REQUIRE(log.is_ok());
    CHECK(log.value()->log_id() == damaged.log_id);
    CHECK(log.value()->last_seq() == Seq{1000});
    LogCursor cursor = log.value()->read(Seq{1}, Seq{UINT64_MAX}, /*verify_hashes=*/true);
    std::uint64_t records = 0;
    while (cursor.next()) ++records;
    CHECK(cursor.status().is_ok());
    CHECK(records == 1000);
    // The idempotency index came along: a retry of a lost command is answered, not redone.
    auto outcome = log.value()->find_outcome("t1", "b-cmd-999");
    REQUIRE(outcome.is_ok());
    REQUIRE(outcome.value().has_value());
    CHECK(outcome.value()->first_seq() == 999);
    CHECK(outcome.value()->fingerprint() == "fp");
    auto stream = log.value()->stream_seqs("t1/booking/b999");
    REQUIRE(stream.is_ok());
    CHECK(stream.value() == std::vector<Seq>{Seq{999}});
  }
}

TEST_CASE("a source that forked from the local history is refused") {
  DamagedLog damaged;
  // Another history under the same log id: the same first 800 events, then others.
  const std::string fork = damaged.dir.sub("fork");
  fs::copy(damaged.data, fork, fs::copy_options::recursive);
  {
    auto forked = EventLog::open(fork);
    REQUIRE(forked.is_ok());
    append(*forked.value(), 10, "x");  // 801-1000, x
  }
  backup(fork, damaged.dir.sub("fork-backup"));
  append_and_crash(damaged.data, 5);  // 801-900, b
  damage_wal(damaged.data);
  auto report = repair_from(damaged.data, damaged.dir.sub("fork-backup"));
  REQUIRE_FALSE(report.is_ok());
  // Refused where the fork first shows: its 801 does not chain onto the salvaged b events, or
  // (when nothing past 800 was salvaged) it chains but disagrees with the anchor at 900.
  const std::string& why = report.status().message();
  CHECK((why.find("does not chain") != std::string::npos ||
         why.find("disagrees with its anchor at seq 900") != std::string::npos));
  CHECK_FALSE(EventLog::open(damaged.data).is_ok());
  CHECK_FALSE(fs::exists(damaged.data + "/repair.partial"));
}

TEST_CASE("outcomes are rebuilt from events when no source has them") {
  // A stream-only source: records without outcomes, as JetStream has them.
  class EventsOnly final : public RecordSource {
   public:
    explicit EventsOnly(const std::string& directory) {
      LogOptions options;
      options.mode = LogOptions::Mode::kReadOnly;
      log_ = std::move(EventLog::open(directory, options)).value();
    }
    std::string describe() const override { return "events only"; }
    Result<std::vector<LogRecord>> read(const std::string&, Seq from, std::size_t count) override {
      std::vector<LogRecord> records;
      LogCursor cursor = log_->read(from, Seq{from.value + count - 1});
      while (cursor.next()) records.push_back(cursor.record());
      return records;
    }

   private:
    std::unique_ptr<EventLog> log_;
  };
  DamagedLog damaged;
  append_and_crash(damaged.data, 10);
  const std::string copy = damaged.dir.sub("copy");
  backup(damaged.data, copy);
  damage_wal(damaged.data);
  EventsOnly source(copy);
  auto report = repair_log(damaged.data, {&source}, RepairOptions{});
  REQUIRE(report.is_ok());
  CHECK(report.value().outcomes_rebuilt > 0);
  auto log = EventLog::open(damaged.data);
  REQUIRE(log.is_ok());
  auto outcome = log.value()->find_outcome("t1", "b-cmd-1000");
  REQUIRE(outcome.is_ok());
  REQUIRE(outcome.value().has_value());
  CHECK(outcome.value()->first_seq() == 1000);
  CHECK(outcome.value()->fingerprint().empty());  // unknown: a retry gets the stored answer
}

TEST_CASE("a whole log is left as it is") {
  DamagedLog whole;
  backup(whole.data, whole.dir.sub("b"));
  auto report = repair_from(whole.data, whole.dir.sub("b"));
  REQUIRE(report.is_ok());
  CHECK_FALSE(report.value().changed);
  CHECK(report.value().damaged_directory.empty());
  CHECK(EventLog::open(whole.data).is_ok());
}
