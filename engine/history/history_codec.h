// Records to and from the export formats (history_format.h).
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "event_log.h"
#include "events.pb.h"
#include "history_format.h"
#include "status.h"

namespace turno::history {

// "jsonl", "csv", "protobuf" (also "pb"); nullopt for anything else.
std::optional<Format> parse_format(std::string_view name);
std::string_view format_name(Format format);

// Turns log records into export bytes. Keeps scratch buffers: one encoder per thread.
class RecordEncoder {
 public:
  explicit RecordEncoder(Format format) : format_(format) {}

  // Appends what comes before the first record (the CSV header row; nothing otherwise).
  void append_preamble(std::string& out) const;
  // Appends `record` with its hash. kCorruption when the record's stored bytes are not the
  // canonical serialization of its envelope (an export of it could never verify).
  Status append_record(const LogRecord& record, std::string& out);
  // Appends the summary envelope that ends an export.
  void append_summary(const v1::ExportSummary& summary, std::string& out);

 private:
  Format format_;
  v1::Envelope scratch_;
  std::string bytes_;
};

// The JSON of one envelope, as in jsonl (no newline).
std::string envelope_json(const v1::Envelope& envelope);
// The CSV row of one envelope, as in csv (no line break).
std::string envelope_csv_row(const v1::Envelope& envelope);

// Reads an export back, one envelope at a time, without holding more than one in memory.
class RecordReader {
 public:
  RecordReader(std::istream& in, Format format) : in_(in), format_(format) {}

  // Reads the next envelope (a record or the summary). False at the end of the input or on an
  // error, which status() then holds (kCorruption, naming the line or record).
  bool next();
  const v1::Envelope& envelope() const { return envelope_; }
  // 1-based: the line (jsonl, csv) or the record (protobuf) just read.
  std::uint64_t position() const { return position_; }
  const Status& status() const { return status_; }

 private:
  bool read_line(std::string& line);
  bool read_frame(std::string& frame);
  bool fail(const std::string& why);

  std::istream& in_;
  Format format_;
  v1::Envelope envelope_;
  std::uint64_t position_ = 0;
  bool header_read_ = false;
  Status status_;
  std::string buffer_;
};

// Sniffs the format from the first bytes of an export: '{' jsonl, the CSV header, else
// protobuf. Leaves the stream where it was.
Format detect_format(std::istream& in);

}  // namespace turno::history
