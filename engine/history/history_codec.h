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
  // "line 12" or "record 12": position() in words.
  std::string where() const;
  const Status& status() const { return status_; }
  // After an error: the seq of the record that failed, when enough of it could be read (a
  // damaged record still names its seq; a cut-off length or an unreadable start does not).
  std::optional<Seq> failed_seq() const { return failed_seq_; }

 private:
  bool read_line(std::string& line);
  bool read_frame(std::string& frame);
  bool read_json_line();
  bool fail(const std::string& why);
  bool fail_at(std::optional<Seq> seq, const std::string& why);

  std::istream& in_;
  Format format_;
  v1::Envelope envelope_;
  std::uint64_t position_ = 0;
  bool header_read_ = false;
  Status status_;
  std::optional<Seq> failed_seq_;
  std::string buffer_;
};

// The offset of the first raw control character (below 0x20) inside a JSON string of `json`,
// which makes it invalid JSON (RFC 8259 §7: they must be escaped); nullopt when there is none.
// Protobuf's JSON parser accepts them, so the reader checks this itself.
std::optional<std::size_t> raw_control_in_json_string(std::string_view json);

// Sniffs the format from the first bytes of an export: '{' jsonl, the CSV header, else
// protobuf. Leaves the stream where it was.
Format detect_format(std::istream& in);

}  // namespace turno::history
