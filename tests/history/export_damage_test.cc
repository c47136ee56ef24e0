// verify_export on damaged and doctored exports, in every format: a gap in an unfiltered
// export hidden by an edited summary, a truncated export, records after the summary, raw
// control characters in JSON strings, and damage in a filtered export, each named by the seq
// it concerns (not by "the seq after the last good one", which a filtered export skips).
#include <doctest/doctest.h>

#include "export_units.h"
#include "history_fixture.h"

using namespace turno;
using namespace turno::history;
using namespace turno::testing;

namespace {

// The text of a unit with the bytes from `at` on cut off (a record cut in the middle).
std::string cut_inside(const std::string& unit) {
  return unit.substr(0, unit.size() / 2);
}

}  // namespace

TEST_CASE("a gap in an unfiltered export is found even when the summary is edited to hide it") {
  HistoryFixture history(120);
  for (Format format : kFormats) {
    INFO(format_name(format));
    Units units = split(export_text(history.log(), format), format);
    units.items.erase(units.items.begin() + 29);  // seq 30
    forge_summary(units, format);                 // ranges 1-29, 31-..., count and digest fixed
    check_fails_at(verify_text(units.joined(), format), 30,
                   "seq 30 is missing: an unfiltered export");
  }
}

TEST_CASE("an unfiltered export must start at seq 1 and hold the head with the head's hash") {
  HistoryFixture history(80);
  const std::uint64_t head = history.log().last_seq().value;
  for (Format format : kFormats) {
    INFO(format_name(format));
    const Units clean = split(export_text(history.log(), format), format);
    SUBCASE("the first records removed, the summary made to start after them") {
      Units units = clean;
      units.items.erase(units.items.begin(), units.items.begin() + 5);
      forge_summary(units, format, [](v1::ExportSummary& summary) { summary.set_from_seq(6); });
      check_fails_at(verify_text(units.joined(), format), 1, "starts at seq 6 instead of seq 1");
    }
    SUBCASE("a head hash that is not the last record's") {
      Units units = clean;
      forge_summary(units, format, [](v1::ExportSummary& summary) {
        summary.set_head_hash(std::string(as_bytes(sha256("another head"))));
      });
      check_fails_at(verify_text(units.joined(), format), head, "head hash");
    }
  }
}

TEST_CASE("a truncated export fails, and a record cut in the middle is named by its seq") {
  HistoryFixture history(80);
  for (Format format : kFormats) {
    INFO(format_name(format));
    const Units clean = split(export_text(history.log(), format), format);
    SUBCASE("cut between records: the summary is missing") {
      Units units = clean;
      units.items.resize(40);
      const ExportCheck check = verify_text(units.joined(), format);
      CHECK_FALSE(check.status.is_ok());
      CHECK(check.status.message().find("ends after seq 40 without its summary") !=
            std::string::npos);
    }
    SUBCASE("cut inside a record") {
      Units units = clean;
      units.items.resize(41);
      units.items[40] = cut_inside(units.items[40]);  // seq 41
      check_fails_at(verify_text(units.joined(), format), 41, "cut short");
    }
    SUBCASE("cut, and the summary moved up with its ranges edited: the scan still claims more") {
      Units units = clean;
      units.items.erase(units.items.begin() + 40, units.items.end() - 1);
      forge_summary(units, format);
      check_fails_at(verify_text(units.joined(), format), 41, "seq 41 is missing");
    }
  }
}

TEST_CASE("anything after the summary is an error naming that record") {
  HistoryFixture history(60);
  for (Format format : kFormats) {
    INFO(format_name(format));
    const Units clean = split(export_text(history.log(), format), format);
    SUBCASE("a record") {
      Units units = clean;
      units.items.push_back(clean.items[11]);  // seq 12
      check_fails_at(verify_text(units.joined(), format), 12, "after the export summary");
    }
    SUBCASE("a second summary") {
      Units units = clean;
      units.items.push_back(clean.items.back());
      const ExportCheck check = verify_text(units.joined(), format);
      CHECK_FALSE(check.status.is_ok());
      CHECK(check.status.message().find("a second export summary") != std::string::npos);
    }
    SUBCASE("bytes that are no record") {
      Units units = clean;
      units.items.push_back(format == Format::kProtobuf ? std::string("\x09garbage") : "x\n");
      const ExportCheck check = verify_text(units.joined(), format);
      CHECK_FALSE(check.status.is_ok());
      CHECK(check.status.message().find("after the export summary") != std::string::npos);
    }
  }
}

TEST_CASE("a raw control character inside a JSON string is invalid JSON, named by its seq") {
  // A command id holding control characters: the formats escape them (\u0001, \t), so the
  // export verifies; the same record with the characters written raw must not, although
  // protobuf's JSON parser reads it back to the same envelope and the same hash.
  const std::vector<HandRecord> records = {{3, "a"}, {7, "b"}, {9, std::string("c\x01\td")}};
  for (Format format : {Format::kJsonl, Format::kCsv}) {
    INFO(format_name(format));
    const std::string clean = hand_made_export(format, records);
    REQUIRE_MESSAGE(verify_text(clean, format).status.is_ok(),
                    verify_text(clean, format).status.message());
    std::string raw = clean;
    const std::size_t at = raw.find("\\u0001");
    REQUIRE(at != std::string::npos);
    raw.replace(at, 6, "\x01");
    check_fails_at(verify_text(raw, format), 9, "raw control character");
  }
  CHECK(raw_control_in_json_string(R"({"a":"x\"y","b":"\\"})") == std::nullopt);
  CHECK(raw_control_in_json_string("{\"a\":\"x\\\"\ty\"}") == std::size_t{9});
  CHECK(raw_control_in_json_string("{\"a\":\n\"x\"}") == std::nullopt);  // whitespace, outside
}

TEST_CASE(
    "damage in a filtered export names the damaged record's seq, not the one after the last") {
  const std::vector<HandRecord> records = {{3, "a"}, {7, "b"}, {9, "c"}};
  for (Format format : kFormats) {
    INFO(format_name(format));
    const std::string text = hand_made_export(format, records);
    REQUIRE(verify_text(text, format).status.is_ok());
    const Units clean = split(text, format);
    SUBCASE("a record that does not parse") {
      Units units = clean;
      std::string& unit = units.items[1];  // seq 7
      if (format == Format::kProtobuf) {
        unit.back() = '\xff';  // the last byte of its hash field becomes a truncated varint tag
        unit += '\xff';
        unit[0] = static_cast<char>(unit.size() - 1);
      } else {
        unit.insert(unit.size() - (format == Format::kCsv ? 3 : 2), "}");
      }
      check_fails_at(verify_text(units.joined(), format), 7, "seq 7");
    }
    SUBCASE("a record cut short at the end") {
      Units units = clean;
      units.items.resize(2);
      units.items[1] = cut_inside(units.items[1]);
      check_fails_at(verify_text(units.joined(), format), 7, "cut short");
    }
    SUBCASE("a record added after the summary") {
      Units units = clean;
      units.items.push_back(clean.items[2]);
      check_fails_at(verify_text(units.joined(), format), 9, "after the export summary");
    }
  }
}
