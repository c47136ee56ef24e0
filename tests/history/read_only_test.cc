// Tools read a log that a server holds open: a read-only open is a consistent point-in-time
// view, and stays readable while the writer keeps appending, flushing and compacting.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "event_log.h"
#include "history_export.h"
#include "history_verify.h"
#include "temp_dir.h"

using namespace turno;
using namespace turno::history;
using namespace turno::testing;

namespace {

// Appends `count` events in one batch; false if the commit failed.
bool append_events(EventLog& log, int count) {
  AppendBatch batch = log.begin_batch();
  for (int i = 0; i < count; ++i) {
    v1::Envelope envelope;
    const std::uint64_t seq = batch.last_seq().value + 1;
    envelope.set_stream("t1/booking/b" + std::to_string(seq));
    envelope.set_stream_version(1);
    envelope.set_tenant_id("t1");
    envelope.set_command_id("cmd-" + std::to_string(seq));
    envelope.mutable_slot_held()->set_booking_id("b" + std::to_string(seq));
    envelope.mutable_slot_held()->set_client_id(std::string(200, 'c'));  // fills memtables
    batch.add(envelope);
  }
  return log.commit(std::move(batch)).is_ok();
}

std::set<std::string> table_files(const std::string& directory) {
  std::set<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".sst") out.insert(entry.path().filename());
  }
  return out;
}

}  // namespace

TEST_CASE("a read-only open exports and verifies while the writer appends and compacts") {
  TempDir dir;
  LogOptions writable;
  writable.sync = false;
  writable.write_buffer_bytes = 4u << 20;  // flush, and so compact, all the time
  auto log = EventLog::open(dir.path(), writable).value();
  for (int i = 0; i < 200; ++i) REQUIRE(append_events(*log, 100));

  std::atomic<bool> stop{false};
  std::atomic<bool> appends_failed{false};
  std::thread writer([&] {
    while (!stop.load()) {
      if (!append_events(*log, 100)) appends_failed.store(true);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  const std::set<std::string> tables_at_start = table_files(dir.path());
  bool compacted_under_a_reader = false;
  for (int round = 0; round < 20 && !compacted_under_a_reader; ++round) {
    LogOptions read_only;
    read_only.mode = LogOptions::Mode::kReadOnly;
    auto view = EventLog::open(dir.path(), read_only);
    REQUIRE_MESSAGE(view.is_ok(), view.status().message());
    const std::set<std::string> tables_at_open = table_files(dir.path());
    const Seq head = view.value()->last_seq();
    std::string text;
    Result<v1::ExportSummary> summary =
        export_history(*view.value(), {}, Format::kProtobuf, [&](std::string_view bytes) {
          text += bytes;
          return Status::ok();
        });
    REQUIRE_MESSAGE(summary.is_ok(), summary.status().message());
    CHECK(summary.value().to_seq() == head.value);  // the view does not move
    std::istringstream in(text);
    ExportCheck check = verify_export(in, Format::kProtobuf);
    CHECK_MESSAGE(check.status.is_ok(), check.status.message());
    CHECK(check.records == head.value);
    CHECK(verify_log(*view.value()).status.is_ok());
    // Some table the view opened was compacted away while it was open.
    const std::set<std::string> tables_now = table_files(dir.path());
    for (const std::string& table : tables_at_open) {
      compacted_under_a_reader |= !tables_now.contains(table);
    }
  }
  stop.store(true);
  writer.join();
  CHECK_FALSE(appends_failed.load());
  CHECK(compacted_under_a_reader);
  CHECK_FALSE(tables_at_start.empty());
}
