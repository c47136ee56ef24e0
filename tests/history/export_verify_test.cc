// Export and offline verification: round trips in every format, filtered exports and their
// ranges, and tampering (a changed byte, a removed record, a reordered pair, a cut-off file, a
// forged record) reported with the first bad seq.
#include <doctest/doctest.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/delimited_message_util.h>
#include <rocksdb/db.h>

#include <sstream>

#include "export_units.h"
#include "history_codec.h"
#include "history_export.h"
#include "history_fixture.h"
#include "history_verify.h"
#include "log_format.h"
#include "raw_log.h"
#include "sha256.h"

using namespace turno;
using namespace turno::history;
using namespace turno::testing;

namespace {

// Changes one byte of a record's content: a character of its command id (text formats) or a
// byte in the middle of its bytes (protobuf).
void change_a_byte(std::string& unit, Format format) {
  if (format == Format::kProtobuf) {
    unit[unit.size() / 2] ^= 0x01;
    return;
  }
  const std::size_t at = unit.find("commandId") + std::string("commandId\":\"").size() +
                         (format == Format::kCsv ? 2 : 0);  // CSV doubles the quotes
  REQUIRE(at < unit.size());
  unit[at + 1] = unit[at + 1] == 'x' ? 'y' : 'x';
}

}  // namespace

TEST_CASE("a full export verifies offline in every format, as one chained run") {
  HistoryFixture history(300);
  const Seq tail = history.log().last_seq();
  for (Format format : kFormats) {
    INFO(format_name(format));
    const std::string text = export_text(history.log(), format);
    ExportCheck check = verify_text(text, format);
    REQUIRE_MESSAGE(check.status.is_ok(), check.status.message());
    CHECK(check.records == tail.value);
    CHECK(check.links_checked == tail.value - 1);
    REQUIRE(check.runs.size() == 1);
    CHECK(check.runs[0].first == Seq{1});
    CHECK(check.runs[0].last == tail);
    CHECK(check.runs[0].last_hash == history.log().last_hash());
    REQUIRE(check.summary.has_value());
    CHECK(check.summary->log_id() == history.log().log_id());
    CHECK(check.summary->head_seq() == tail.value);
    CHECK(check.summary->head_hash() == std::string(as_bytes(history.log().last_hash())));
    std::istringstream sniff(text);
    CHECK(detect_format(sniff) == format);
    anchor_export(check, history.log());
    CHECK(check.status.is_ok());
  }
}

TEST_CASE("jsonl uses the proto3 JSON names, and protobuf is plain length-delimited Envelopes") {
  HistoryFixture history(100);
  const std::string jsonl = export_text(history.log(), Format::kJsonl);
  const std::string first_line = jsonl.substr(0, jsonl.find('\n'));
  CHECK(first_line.find("\"seq\":\"1\"") != std::string::npos);  // int64 as a string
  CHECK(first_line.find("\"recordedAtMs\"") != std::string::npos);
  CHECK(first_line.find("\"prevHash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"") !=
        std::string::npos);
  CHECK(first_line.find("\"tenantRegistered\"") != std::string::npos);
  CHECK(first_line.find("\"hash\"") != std::string::npos);

  const std::string protobuf = export_text(history.log(), Format::kProtobuf);
  google::protobuf::io::ArrayInputStream stream(protobuf.data(), int(protobuf.size()));
  v1::Envelope envelope;
  bool clean_eof = false;
  std::uint64_t seq = 0;
  while (google::protobuf::util::ParseDelimitedFromZeroCopyStream(&envelope, &stream, &clean_eof)) {
    if (envelope.has_export_summary()) break;
    CHECK(envelope.seq() == ++seq);
    CHECK(envelope.hash().size() == 32);
  }
  CHECK(envelope.has_export_summary());
  CHECK(seq == history.log().last_seq().value);
}

TEST_CASE("a filtered export verifies against its own hashes and says which ranges it covers") {
  HistoryFixture history(400);
  EventFilter filter;
  REQUIRE(filter.set("tenant", "t1").is_ok());
  REQUIRE(filter.set("type", "slot_held,payment_succeeded").is_ok());
  std::uint64_t expected = 0;
  LogCursor cursor = history.log().read(Seq{1});
  while (cursor.next()) expected += filter.matches(cursor.record().envelope) ? 1 : 0;
  REQUIRE(expected > 10);
  for (Format format : kFormats) {
    INFO(format_name(format));
    ExportCheck check = verify_text(export_text(history.log(), format, filter), format);
    REQUIRE_MESSAGE(check.status.is_ok(), check.status.message());
    CHECK(check.records == expected);
    CHECK(check.runs.size() > 1);
    CHECK(check.summary->filter() == "tenant=t1 type=slot_held,payment_succeeded");
    CHECK(check.summary->ranges_size() == int(check.runs.size()));
    anchor_export(check, history.log());
    CHECK(check.status.is_ok());
  }
}

TEST_CASE("a seq range exports exactly that range, chained to the records before it") {
  HistoryFixture history(200);
  EventFilter filter;
  REQUIRE(filter.set("from-seq", "50").is_ok());
  REQUIRE(filter.set("to-seq", "80").is_ok());
  ExportCheck check =
      verify_text(export_text(history.log(), Format::kJsonl, filter), Format::kJsonl);
  REQUIRE(check.status.is_ok());
  REQUIRE(check.runs.size() == 1);
  CHECK(check.runs[0].first == Seq{50});
  CHECK(check.runs[0].last == Seq{80});
  CHECK(check.summary->from_seq() == 50);
  CHECK(check.summary->to_seq() == 80);
}

TEST_CASE("tampering with an export is reported with the first bad seq, in every format") {
  HistoryFixture history(120);
  for (Format format : kFormats) {
    INFO(format_name(format));
    const Units clean = split(export_text(history.log(), format), format);
    REQUIRE(clean.items.size() > 40);

    SUBCASE("a changed byte") {
      Units units = clean;
      change_a_byte(units.items[19], format);  // seq 20
      const ExportCheck check = verify_text(units.joined(), format);
      CHECK_FALSE(check.status.is_ok());
      REQUIRE(check.first_bad_seq.has_value());
      CHECK(check.first_bad_seq->value == 20);
    }
    SUBCASE("a removed record") {
      Units units = clean;
      units.items.erase(units.items.begin() + 29);  // seq 30
      check_fails_at(verify_text(units.joined(), format), 30, "record 30 is missing");
    }
    SUBCASE("the first record removed") {
      Units units = clean;
      units.items.erase(units.items.begin());
      check_fails_at(verify_text(units.joined(), format), 1, "record 1 is missing");
    }
    SUBCASE("a reordered pair") {
      Units units = clean;
      std::swap(units.items[9], units.items[10]);  // seq 11 before seq 10
      check_fails_at(verify_text(units.joined(), format), 10, "out of order");
    }
    SUBCASE("a record repeated") {
      Units units = clean;
      units.items.insert(units.items.begin() + 5, units.items[4]);
      check_fails_at(verify_text(units.joined(), format), 5, "appears twice");
    }
    SUBCASE("cut off before the end") {
      Units units = clean;
      units.items.resize(25);
      const ExportCheck check = verify_text(units.joined(), format);
      CHECK_FALSE(check.status.is_ok());
      CHECK_FALSE(check.first_bad_seq.has_value());  // no record is bad: some are missing
      CHECK(check.status.message().find("ends after seq 25 without its summary") !=
            std::string::npos);
    }
    SUBCASE("the summary edited to hide a removed record") {
      Units units = clean;
      units.items.erase(units.items.begin() + 39);  // seq 40, the summary still lists it
      check_fails_at(verify_text(units.joined(), format), 40, "missing");
    }
  }
}

TEST_CASE("a forged record with a recomputed hash breaks the chain at the next seq") {
  HistoryFixture history(60);
  Units units = split(export_text(history.log(), Format::kJsonl), Format::kJsonl);
  std::istringstream line(units.items[14]);  // seq 15
  RecordReader reader(line, Format::kJsonl);
  REQUIRE(reader.next());
  v1::Envelope forged = reader.envelope();
  forged.set_command_id("forged");
  forged.clear_hash();
  Hash prev{};
  std::copy(forged.prev_hash().begin(), forged.prev_hash().end(), prev.begin());
  const Hash hash = chain_hash(prev, forged.SerializeAsString());
  forged.set_hash(std::string(as_bytes(hash)));
  units.items[14] = envelope_json(forged) + "\n";
  check_fails_at(verify_text(units.joined(), Format::kJsonl), 16, "chain broken at seq 16");
}

TEST_CASE("a CSV row whose columns disagree with its envelope fails") {
  HistoryFixture history(60);
  Units units = split(export_text(history.log(), Format::kCsv), Format::kCsv);
  std::string& row = units.items[7];  // seq 8: its tenant column is the 5th
  const std::size_t tenant_at = row.find(",t") + 1;
  row.replace(tenant_at, 2, "t9");
  check_fails_at(verify_text(units.joined(), Format::kCsv), 8, "do not match its envelope");
}

TEST_CASE("an export anchored to another log, or to a changed log, fails") {
  HistoryFixture history(80);
  HistoryFixture other(80);
  ExportCheck check = verify_text(export_text(history.log(), Format::kJsonl), Format::kJsonl);
  REQUIRE(check.status.is_ok());
  anchor_export(check, other.log());
  CHECK(check.status.message().find("not of") != std::string::npos);
}

TEST_CASE("verify_log finds the first bad seq of a tampered log, and export stops there") {
  HistoryFixture history(100);
  const Seq tail = history.log().last_seq();
  LogCheck clean = verify_log(history.log());
  REQUIRE(clean.status.is_ok());
  CHECK(clean.records == tail.value);
  CHECK(clean.last_hash == history.log().last_hash());
  history.close();
  {
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = turno::testing::raw_log_families();
    REQUIRE(rocksdb::DB::Open({}, history.log_path(), families, &handles, &raw).ok());
    std::string value;
    REQUIRE(raw->Get({}, handles[1], log_format::event_key(Seq{42}), &value).ok());
    value[value.size() - 2] ^= 0x01;
    REQUIRE(raw->Put({}, handles[1], log_format::event_key(Seq{42}), value).ok());
    for (auto* handle : handles) REQUIRE(raw->DestroyColumnFamilyHandle(handle).ok());
    delete raw;
  }
  LogOptions read_only;
  read_only.mode = LogOptions::Mode::kReadOnly;
  auto log = EventLog::open(history.log_path(), read_only).value();
  LogCheck check = verify_log(*log);
  CHECK_FALSE(check.status.is_ok());
  REQUIRE(check.first_bad_seq.has_value());
  CHECK(check.first_bad_seq->value == 42);
  CHECK(check.records == 41);

  std::string partial;
  Result<v1::ExportSummary> exported =
      export_history(*log, {}, Format::kJsonl, [&](std::string_view bytes) {
        partial += bytes;
        return Status::ok();
      });
  INFO(exported.status().message());
  CHECK(exported.status().message().find("42") != std::string::npos);
  ExportCheck partial_check = verify_text(partial, Format::kJsonl);
  CHECK_FALSE(partial_check.status.is_ok());  // no summary: never passes for a whole export
}

TEST_CASE("an export stopped by its limits is a verifiable page, and pages cover the log") {
  HistoryFixture history(300);
  const Seq tail = history.log().last_seq();
  EventFilter filter;
  REQUIRE(filter.set("type", "slot_held").is_ok());
  std::uint64_t records = 0;
  std::uint64_t pages = 0;
  for (Seq from{1}; from <= tail; ++pages) {
    filter.from_seq = from;
    std::string page;
    Result<v1::ExportSummary> summary = export_history(
        history.log(), filter, Format::kJsonl,
        [&](std::string_view bytes) {
          page += bytes;
          return Status::ok();
        },
        {}, ExportLimits{.records_max = 7, .scanned_max = 50});
    REQUIRE(summary.is_ok());
    CHECK(summary.value().record_count() <= 7);
    CHECK(summary.value().to_seq() - summary.value().from_seq() < 50);
    ExportCheck check = verify_text(page, Format::kJsonl);
    REQUIRE_MESSAGE(check.status.is_ok(), check.status.message());
    records += check.records;
    from = Seq{summary.value().to_seq() + 1};
  }
  CHECK(pages > 6);
  std::uint64_t expected = 0;
  LogCursor cursor = history.log().read(Seq{1});
  while (cursor.next()) expected += cursor.record().envelope.has_slot_held() ? 1 : 0;
  CHECK(records == expected);
}
