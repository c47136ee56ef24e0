// Damage on disk is refused, never served: a flipped byte or a cut in the WAL, a truncated
// MANIFEST, a log whose head fell below an anchor or whose chain disagrees with one.
//
// A process that crashes leaves its WAL as the only copy of recent commits; each such case
// runs the writing side in a forked child that ends with _exit (no destructor, no flush), as a
// SIGKILL would, and then damages the files from the parent.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "event_log.h"
#include "log_anchor.h"
#include "temp_dir.h"

using namespace turno;
using namespace turno::testing;
namespace fs = std::filesystem;

namespace {

constexpr int kBatches = 40;
constexpr int kEventsPerBatch = 25;
constexpr std::uint64_t kEvents = kBatches * kEventsPerBatch;

void append_batches(EventLog& log, int batches) {
  for (int b = 0; b < batches; ++b) {
    AppendBatch batch = log.begin_batch();
    for (int i = 0; i < kEventsPerBatch; ++i) {
      v1::Envelope envelope;
      const std::uint64_t n = log.last_seq().value + static_cast<std::uint64_t>(i) + 1;
      envelope.set_stream("t1/booking/b" + std::to_string(n));
      envelope.set_stream_version(1);
      envelope.set_tenant_id("t1");
      envelope.set_command_id("cmd-" + std::to_string(n));
      envelope.mutable_checked_in()->set_booking_id("b" + std::to_string(n));
      batch.add(envelope);
    }
    REQUIRE(log.commit(std::move(batch)).is_ok());
  }
}

LogOptions fast_anchors() {
  LogOptions options;
  options.head_anchor_interval = std::chrono::milliseconds(1);
  return options;
}

// Writes kEvents in a child that then dies without closing anything; its head anchor had
// time to name the last commit.
void write_and_crash(const std::string& path) {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto log = EventLog::open(path, fast_anchors());
    if (!log.is_ok()) _exit(3);
    append_batches(*log.value(), kBatches);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // > head_anchor_interval
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

std::vector<fs::path> files_with(const std::string& directory, std::string_view infix,
                                 std::string_view suffix = "") {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.find(infix) != std::string::npos && name.ends_with(suffix)) {
      found.push_back(entry.path());
    }
  }
  return found;
}

fs::path largest_wal(const std::string& directory) {
  fs::path largest;
  for (const fs::path& wal : files_with(directory, ".log")) {
    if (largest.empty() || fs::file_size(wal) > fs::file_size(largest)) largest = wal;
  }
  REQUIRE_FALSE(largest.empty());
  return largest;
}

void flip_byte(const fs::path& file, std::uintmax_t offset) {
  std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
  io.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  io.get(byte);
  io.seekp(static_cast<std::streamoff>(offset));
  io.put(static_cast<char>(byte ^ 0x5a));
}

Result<std::unique_ptr<EventLog>> open_read_only(const std::string& path,
                                                 LogOptions::Recovery recovery) {
  LogOptions options;
  options.mode = LogOptions::Mode::kReadOnly;
  options.create_if_missing = false;
  options.recovery = recovery;
  return EventLog::open(path, options);
}

// What every tool and the server do: all must refuse the same damage.
void check_refused_by_every_open(const std::string& path, std::string_view says) {
  auto read_only = open_read_only(path, LogOptions::Recovery::kRefuse);
  REQUIRE_FALSE(read_only.is_ok());
  CAPTURE(read_only.status().message());
  CHECK(read_only.status().code() == Status::Code::kCorruption);
  CHECK(read_only.status().message().find(says) != std::string::npos);
  auto read_write = EventLog::open(path);
  REQUIRE_FALSE(read_write.is_ok());
  CAPTURE(read_write.status().message());
  CHECK(read_write.status().code() == Status::Code::kCorruption);
  CHECK(read_write.status().message().find(says) != std::string::npos);
}

}  // namespace

TEST_CASE("a byte flipped in the middle of the WAL is refused, not served as a shorter log") {
  TempDir dir;
  write_and_crash(dir.path());
  const fs::path wal = largest_wal(dir.path());
  REQUIRE(fs::file_size(wal) > 10'000);
  flip_byte(wal, fs::file_size(wal) / 2);

  // Negative control: RocksDB's point-in-time recovery (what `turno repair` salvages with, and
  // what the log used before) opens this WAL and silently serves a shorter history.
  auto salvaged = open_read_only(dir.path(), LogOptions::Recovery::kSalvage);
  REQUIRE(salvaged.is_ok());
  CHECK(salvaged.value()->last_seq().value < kEvents);
  salvaged.value().reset();

  auto read_only = open_read_only(dir.path(), LogOptions::Recovery::kRefuse);
  REQUIRE_FALSE(read_only.is_ok());
  CHECK(read_only.status().code() == Status::Code::kCorruption);
  auto read_write = EventLog::open(dir.path());
  REQUIRE_FALSE(read_write.is_ok());
  CHECK(read_write.status().code() == Status::Code::kCorruption);
}

TEST_CASE("a WAL cut at its tail after a crash is caught by the head anchor") {
  TempDir dir;
  write_and_crash(dir.path());
  const fs::path wal = largest_wal(dir.path());
  fs::resize_file(wal, fs::file_size(wal) - 40);
  // RocksDB alone drops the cut record as a torn write; the anchor knows it was acknowledged.
  check_refused_by_every_open(dir.path(), "acknowledged events are missing");
  auto refused = EventLog::open(dir.path());
  CAPTURE(refused.status().message());
  CHECK(refused.status().message().find("-" + std::to_string(kEvents) + " are lost") !=
        std::string::npos);
  CHECK(refused.status().message().find("turno repair") != std::string::npos);
}

TEST_CASE("a clean stop flushes: no WAL is the only copy, and a cut WAL loses nothing") {
  TempDir dir;
  {
    auto log = EventLog::open(dir.path());
    REQUIRE(log.is_ok());
    append_batches(*log.value(), kBatches);
    REQUIRE(log.value()->close().is_ok());
  }
  for (const fs::path& wal : files_with(dir.path(), ".log")) {
    if (fs::file_size(wal) >= 40) fs::resize_file(wal, fs::file_size(wal) - 40);
  }
  for (const fs::path& wal : files_with(dir.path(), ".log")) fs::remove(wal);
  auto reopened = EventLog::open(dir.path());
  REQUIRE(reopened.is_ok());
  CHECK(reopened.value()->last_seq().value == kEvents);
  LogCursor cursor = reopened.value()->read(Seq{1}, Seq{UINT64_MAX}, /*verify_hashes=*/true);
  std::uint64_t records = 0;
  while (cursor.next()) ++records;
  CHECK(cursor.status().is_ok());
  CHECK(records == kEvents);
}

TEST_CASE("without a clean stop the WAL is the only copy (negative control of the flush)") {
  TempDir dir;
  write_and_crash(dir.path());
  for (const fs::path& wal : files_with(dir.path(), ".log")) fs::remove(wal);
  // The events lived only in the WAL: gone, and the anchor says so instead of serving nothing.
  check_refused_by_every_open(dir.path(), "acknowledged events are missing");
}

TEST_CASE("a truncated MANIFEST is refused by the server and the tools alike") {
  TempDir dir;
  {
    auto log = EventLog::open(dir.path());
    REQUIRE(log.is_ok());
    append_batches(*log.value(), 4);
  }
  const std::vector<fs::path> manifests = files_with(dir.path(), "MANIFEST-");
  REQUIRE(manifests.size() == 1);
  fs::resize_file(manifests[0], fs::file_size(manifests[0]) / 2);
  auto read_only = open_read_only(dir.path(), LogOptions::Recovery::kRefuse);
  CHECK_FALSE(read_only.is_ok());
  auto read_write = EventLog::open(dir.path());
  CHECK_FALSE(read_write.is_ok());
}

TEST_CASE("head anchors: a head below one, or a chain that disagrees, is refused") {
  TempDir dir;
  std::string log_id;
  Hash hash_at_10{};
  {
    auto log = EventLog::open(dir.path());
    REQUIRE(log.is_ok());
    append_batches(*log.value(), 2);  // seq 1-50
    log_id = log.value()->log_id();
    hash_at_10 = log.value()->read_one(Seq{10}).value().hash;
  }
  HeadAnchor anchor;
  anchor.witness = "backup";
  anchor.log_id = log_id;
  anchor.written_at_ms = 1;

  SUBCASE("an anchor at a seq the log has, with its hash, is fine") {
    anchor.seq = Seq{10};
    anchor.hash = hash_at_10;
    REQUIRE(write_head_anchor(dir.path(), anchor).is_ok());
    CHECK(EventLog::open(dir.path()).is_ok());
  }
  SUBCASE("an anchor past the log's end names the lost seqs") {
    anchor.seq = Seq{70};
    REQUIRE(write_head_anchor(dir.path(), anchor).is_ok());
    check_refused_by_every_open(dir.path(), "seqs 51-70 are lost");
  }
  SUBCASE("an anchor whose hash differs means rewritten history") {
    anchor.seq = Seq{10};
    anchor.hash = hash_at_10;
    anchor.hash[0] ^= 1;
    REQUIRE(write_head_anchor(dir.path(), anchor).is_ok());
    check_refused_by_every_open(dir.path(), "chain disagrees with its anchor at seq 10");
  }
  SUBCASE("an anchor of another log is refused") {
    anchor.seq = Seq{10};
    anchor.hash = hash_at_10;
    anchor.log_id = std::string(32, 'a');
    REQUIRE(write_head_anchor(dir.path(), anchor).is_ok());
    check_refused_by_every_open(dir.path(), "but this is log");
  }
  SUBCASE("a damaged anchor file is refused") {
    anchor.seq = Seq{10};
    anchor.hash = hash_at_10;
    REQUIRE(write_head_anchor(dir.path(), anchor).is_ok());
    flip_byte(heads_directory(dir.path()) + "/backup", 30);
    check_refused_by_every_open(dir.path(), "fails its check");
  }
}

TEST_CASE("a head anchor round-trips and refuses bad text") {
  HeadAnchor anchor;
  anchor.witness = "nats-publisher";
  anchor.log_id = std::string(32, 'f');
  anchor.seq = Seq{123};
  anchor.hash[5] = 7;
  anchor.written_at_ms = 1'700'000'000'000;
  const std::string text = render_head_anchor(anchor);
  auto parsed = parse_head_anchor(text, "nats-publisher");
  REQUIRE(parsed.is_ok());
  CHECK(parsed.value().seq == Seq{123});
  CHECK(parsed.value().hash == anchor.hash);
  CHECK(parsed.value().log_id == anchor.log_id);
  CHECK_FALSE(parse_head_anchor(text, "backup").is_ok());  // another file's text
  CHECK_FALSE(parse_head_anchor(text.substr(0, 40), "nats-publisher").is_ok());
  CHECK_FALSE(parse_head_anchor("", "nats-publisher").is_ok());
  anchor.witness = "../escape";
  CHECK_FALSE(write_head_anchor("/tmp", anchor).is_ok());
}

TEST_CASE("a log whose database is gone is refused, and no new history is started there") {
  TempDir dir;
  {
    auto log = EventLog::open(dir.path());
    REQUIRE(log.is_ok());
    append_batches(*log.value(), 2);
  }
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.is_regular_file()) fs::remove(entry.path());
  }
  check_refused_by_every_open(dir.path(), "but no database");
  CHECK_FALSE(fs::exists(dir.path() + "/CURRENT"));
}
