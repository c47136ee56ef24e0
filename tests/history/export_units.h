// Exports taken apart and put back together, for the tests that damage, forge and re-sign
// them: an export as text, cut into its units (one per envelope), a summary rewritten the way
// a forger would, and small exports made by hand.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "history_codec.h"
#include "history_export.h"
#include "history_signing.h"
#include "history_verify.h"
#include "sha256.h"

namespace turno::testing {

inline constexpr history::Format kFormats[] = {history::Format::kJsonl, history::Format::kCsv,
                                               history::Format::kProtobuf};

inline std::string export_text(const EventLog& log, history::Format format,
                               const history::EventFilter& filter = {},
                               const history::SigningKey* key = nullptr) {
  std::string out;
  Result<v1::ExportSummary> summary = history::export_history(
      log, filter, format,
      [&](std::string_view bytes) {
        out += bytes;
        return Status::ok();
      },
      {}, {}, key);
  REQUIRE_MESSAGE(summary.is_ok(), summary.status().message());
  return out;
}

inline history::ExportCheck verify_text(const std::string& text, history::Format format) {
  std::istringstream in(text);
  return history::verify_export(in, format);
}

// An export cut into its units: the CSV header (kept apart), then one unit per envelope.
struct Units {
  std::string header;
  std::vector<std::string> items;  // the last one is the summary
  std::string joined() const {
    std::string out = header;
    for (const std::string& item : items) out += item;
    return out;
  }
};

inline Units split(const std::string& text, history::Format format) {
  Units units;
  std::size_t at = 0;
  if (format == history::Format::kCsv) {
    at = text.find('\n') + 1;
    units.header = text.substr(0, at);
  }
  while (at < text.size()) {
    std::size_t end = 0;
    if (format == history::Format::kProtobuf) {
      std::uint32_t size = 0;
      std::size_t cursor = at;
      for (int shift = 0;; shift += 7) {
        const auto byte = static_cast<unsigned char>(text[cursor++]);
        size |= static_cast<std::uint32_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) break;
      }
      end = cursor + size;
    } else {
      end = text.find('\n', at) + 1;
    }
    units.items.push_back(text.substr(at, end - at));
    at = end;
  }
  return units;
}

// The envelopes of some units, read back (each must read).
inline std::vector<v1::Envelope> read_units(const Units& units, history::Format format,
                                            std::size_t first, std::size_t end) {
  std::string text = units.header;
  for (std::size_t i = first; i < end; ++i) text += units.items[i];
  std::istringstream in(text);
  history::RecordReader reader(in, format);
  std::vector<v1::Envelope> envelopes;
  while (reader.next()) envelopes.push_back(reader.envelope());
  REQUIRE_MESSAGE(reader.status().is_ok(), reader.status().message());
  return envelopes;
}

// What a forger does after editing the records: rewrites the summary (the last unit) to list
// exactly the records left, with their count and digest, lets `edit` change more, then signs
// it with `key` (or leaves it unsigned).
inline void forge_summary(Units& units, history::Format format,
                          const std::function<void(v1::ExportSummary&)>& edit = {},
                          const history::SigningKey* key = nullptr) {
  const std::size_t last = units.items.size() - 1;
  v1::ExportSummary summary = read_units(units, format, last, last + 1).at(0).export_summary();
  summary.clear_ranges();
  Sha256 digest;
  const std::vector<v1::Envelope> records = read_units(units, format, 0, last);
  for (const v1::Envelope& record : records) {
    history::add_to_ranges(*summary.mutable_ranges(), Seq{record.seq()});
    digest.update(record.hash());
  }
  summary.set_record_count(records.size());
  summary.set_records_digest(std::string(as_bytes(digest.finish())));
  if (edit) edit(summary);
  summary.clear_key_fingerprint();
  summary.clear_signature();
  if (key != nullptr) history::sign_summary(summary, *key);
  units.items[last].clear();
  history::RecordEncoder(format).append_summary(summary, units.items[last]);
}

// A filtered export made by hand: one record per (seq, command id), ascending and not
// consecutive (each its own run), of tenant t1, then its summary (filter "tenant=t1",
// scanned 1 to the last seq, the head 5 seqs later). Strings may hold any bytes: the formats
// escape them.
struct HandRecord {
  std::uint64_t seq;
  std::string command_id;
};

inline std::string hand_made_export(history::Format format,
                                    const std::vector<HandRecord>& records) {
  history::RecordEncoder encoder(format);
  std::string out;
  encoder.append_preamble(out);
  v1::ExportSummary summary;
  Sha256 digest;
  for (const HandRecord& hand : records) {
    LogRecord record;
    record.seq = Seq{hand.seq};
    record.envelope.set_seq(hand.seq);
    record.envelope.set_tenant_id("t1");
    record.envelope.set_command_id(hand.command_id);
    const Hash previous = sha256("the record before " + std::to_string(hand.seq));
    record.envelope.set_prev_hash(std::string(as_bytes(previous)));
    record.envelope_bytes = record.envelope.SerializeAsString();
    record.hash = chain_hash(previous, record.envelope_bytes);
    REQUIRE(encoder.append_record(record, out).is_ok());
    history::add_to_ranges(*summary.mutable_ranges(), record.seq);
    digest.update(record.hash);
  }
  summary.set_log_id("hand-made");
  summary.set_filter("tenant=t1");
  summary.set_from_seq(1);
  summary.set_to_seq(records.back().seq);
  summary.set_record_count(records.size());
  summary.set_head_seq(records.back().seq + 5);
  summary.set_head_hash(std::string(as_bytes(sha256("the head"))));
  summary.set_records_digest(std::string(as_bytes(digest.finish())));
  encoder.append_summary(summary, out);
  return out;
}

inline void check_fails_at(const history::ExportCheck& check, std::uint64_t seq,
                           const std::string& words) {
  INFO(check.status.message());
  CHECK_FALSE(check.status.is_ok());
  REQUIRE(check.first_bad_seq.has_value());
  CHECK(check.first_bad_seq->value == seq);
  CHECK(check.status.message().find(words) != std::string::npos);
}

}  // namespace turno::testing
