#include "history_codec.h"

#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <vector>

#include "history_filter.h"
#include "sha256.h"

namespace turno::history {
namespace {

namespace json = google::protobuf::util;

json::JsonPrintOptions print_options() {
  json::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = false;
  options.preserve_proto_field_names = false;  // lowerCamelCase, the proto3 JSON mapping
  return options;
}

void append_json(const v1::Envelope& envelope, std::string& out) {
  std::string json_text;
  VERIFY(json::MessageToJsonString(envelope, &json_text, print_options()).ok(),
         "an envelope prints as JSON");
  out += json_text;
}

void append_csv_field(std::string_view field, std::string& out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_csv_row(const v1::Envelope& envelope, std::string& out) {
  const bool summary = envelope.has_export_summary();
  const std::string fields[] = {
      std::to_string(envelope.seq()),
      to_hex(envelope.hash()),
      to_hex(envelope.prev_hash()),
      std::to_string(envelope.recorded_at_ms()),
      envelope.tenant_id(),
      envelope.site_id(),
      envelope.stream(),
      std::to_string(envelope.stream_version()),
      std::string(summary ? kSummaryType : event_type_name(envelope)),
      envelope.command_id(),
      envelope.correlation_id(),
      envelope.has_actor() ? v1::Role_Name(envelope.actor().role()) : std::string(),
      envelope.actor().id(),
      envelope_json(envelope),
  };
  static_assert(std::size(fields) == std::size(kCsvColumns));
  for (std::size_t i = 0; i < std::size(fields); ++i) {
    if (i > 0) out.push_back(',');
    append_csv_field(fields[i], out);
  }
}

// Splits one RFC 4180 line into fields. False on a stray or unbalanced quote.
bool split_csv_line(std::string_view line, std::vector<std::string>& fields) {
  fields.assign(1, std::string());
  bool quoted = false;
  bool was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back().push_back(c);
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == ',') {
      fields.emplace_back();
      was_quoted = false;
    } else if (c == '"' && fields.back().empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == '"' || was_quoted) {
      return false;
    } else {
      fields.back().push_back(c);
    }
  }
  return !quoted;
}

void append_varint32(std::uint32_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

std::optional<std::uint64_t> leading_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> leading_varint(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size() && i < 10; ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return value;
  }
  return std::nullopt;
}

// The seq a record, whole or damaged, names at its start: the exporter writes it first in
// every format ({"seq":"N", in JSON, the first CSV column, field 1 of the protobuf bytes).
std::optional<Seq> leading_seq(std::string_view unit, Format format) {
  std::optional<std::uint64_t> seq;
  if (format == Format::kProtobuf) {
    constexpr char kSeqTag = 0x08;  // field 1, varint
    if (!unit.empty() && unit[0] == kSeqTag) seq = leading_varint(unit.substr(1));
  } else if (format == Format::kCsv) {
    seq = leading_number(unit);
  } else {
    constexpr std::string_view kPrefix = "{\"seq\":\"";
    if (unit.starts_with(kPrefix)) seq = leading_number(unit.substr(kPrefix.size()));
  }
  if (!seq || *seq == 0) return std::nullopt;
  return Seq{*seq};
}

std::string csv_header() {
  std::string out;
  for (std::string_view column : kCsvColumns) {
    if (!out.empty()) out.push_back(',');
    out += column;
  }
  return out;
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "jsonl") return Format::kJsonl;
  if (name == "csv") return Format::kCsv;
  if (name == "protobuf" || name == "pb") return Format::kProtobuf;
  return std::nullopt;
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::kJsonl:
      return "jsonl";
    case Format::kCsv:
      return "csv";
    case Format::kProtobuf:
      return "protobuf";
  }
  return "?";
}

std::string envelope_json(const v1::Envelope& envelope) {
  std::string out;
  append_json(envelope, out);
  return out;
}

std::string envelope_csv_row(const v1::Envelope& envelope) {
  std::string out;
  append_csv_row(envelope, out);
  return out;
}

// ------------------------------------------------------------------------------ RecordEncoder

void RecordEncoder::append_preamble(std::string& out) const {
  if (format_ == Format::kCsv) out += csv_header() + "\n";
}

Status RecordEncoder::append_record(const LogRecord& record, std::string& out) {
  bytes_.clear();
  VERIFY(record.envelope.SerializeToString(&bytes_), "a log envelope serializes");
  if (bytes_ != record.envelope_bytes) {
    return Status::corruption("export: the stored bytes of seq " +
                              std::to_string(record.seq.value) +
                              " are not canonical; its export could not be verified");
  }
  if (format_ == Format::kProtobuf) {
    scratch_.Clear();
    scratch_.set_hash(std::string(as_bytes(record.hash)));
    const std::size_t hash_field_bytes = scratch_.ByteSizeLong();
    append_varint32(static_cast<std::uint32_t>(bytes_.size() + hash_field_bytes), out);
    out += bytes_;
    scratch_.AppendToString(&out);  // concatenated messages merge: the record gains its hash
    return Status::ok();
  }
  scratch_ = record.envelope;
  scratch_.set_hash(std::string(as_bytes(record.hash)));
  if (format_ == Format::kJsonl) {
    append_json(scratch_, out);
  } else {
    append_csv_row(scratch_, out);
  }
  out.push_back('\n');
  return Status::ok();
}

void RecordEncoder::append_summary(const v1::ExportSummary& summary, std::string& out) {
  scratch_.Clear();
  *scratch_.mutable_export_summary() = summary;
  switch (format_) {
    case Format::kJsonl:
      append_json(scratch_, out);
      break;
    case Format::kCsv:
      append_csv_row(scratch_, out);
      break;
    case Format::kProtobuf:
      append_varint32(static_cast<std::uint32_t>(scratch_.ByteSizeLong()), out);
      scratch_.AppendToString(&out);
      return;
  }
  out.push_back('\n');
}

// ------------------------------------------------------------------------------ RecordReader

std::string RecordReader::where() const {
  return (format_ == Format::kProtobuf ? "record " : "line ") + std::to_string(position_);
}

bool RecordReader::fail(const std::string& why) {
  status_ = Status::corruption(where() + ": " + why);
  return false;
}

bool RecordReader::fail_at(std::optional<Seq> seq, const std::string& why) {
  failed_seq_ = seq;
  return fail(seq ? "seq " + std::to_string(seq->value) + ": " + why : why);
}

bool RecordReader::read_line(std::string& line) {
  if (!std::getline(in_, line)) {
    if (in_.bad()) return fail("unreadable");
    return false;  // the end
  }
  if (in_.eof()) {
    return fail_at(leading_seq(line, format_), "the last line has no line break (cut short?)");
  }
  if (line.size() > kSummaryBytesMax) return fail("longer than any record");
  return true;
}

bool RecordReader::read_frame(std::string& frame) {
  std::uint32_t size = 0;
  for (int shift = 0;; shift += 7) {
    const int c = in_.get();
    if (c == std::char_traits<char>::eof()) {
      return shift == 0 ? false : fail("cut short in its length");
    }
    if (shift == 28 && (c & 0xf0) != 0) return fail("length does not fit 32 bits");
    size |= static_cast<std::uint32_t>(c & 0x7f) << shift;
    if ((c & 0x80) == 0) break;
  }
  if (size > kSummaryBytesMax) return fail("longer than any record");
  frame.resize(size);
  in_.read(frame.data(), static_cast<std::streamsize>(size));
  const auto got = static_cast<std::size_t>(in_.gcount());
  if (got != size) return fail_at(leading_seq(frame.substr(0, got), format_), "cut short");
  return true;
}

bool RecordReader::read_json_line() {
  if (!read_line(buffer_)) return false;
  std::string_view json_text = buffer_;
  std::vector<std::string> fields;
  if (format_ == Format::kCsv) {
    if (!split_csv_line(buffer_, fields) || fields.size() != std::size(kCsvColumns)) {
      return fail_at(leading_seq(buffer_, format_), "not a row of the export's columns");
    }
    json_text = fields.back();
  }
  envelope_.Clear();
  json::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!json::JsonStringToMessage(std::string(json_text), &envelope_, options).ok()) {
    return fail_at(leading_seq(json_text, Format::kJsonl), "does not parse as an Envelope");
  }
  const std::optional<Seq> seq =
      envelope_.seq() == 0 ? std::nullopt : std::optional<Seq>(Seq{envelope_.seq()});
  if (const std::optional<std::size_t> at = raw_control_in_json_string(json_text)) {
    return fail_at(seq, "a raw control character (byte " +
                            std::to_string(static_cast<unsigned char>(json_text[*at])) +
                            ") inside a JSON string: invalid JSON, it must be escaped");
  }
  if (format_ == Format::kCsv && envelope_csv_row(envelope_) != buffer_) {
    return fail_at(seq, "the row's columns do not match its envelope");
  }
  return true;
}

bool RecordReader::next() {
  if (!status_.is_ok()) return false;
  if (format_ == Format::kCsv && !header_read_) {
    header_read_ = true;
    ++position_;
    if (!read_line(buffer_)) return status_.is_ok() ? fail("no CSV header") : false;
    if (buffer_ != csv_header()) return fail("not the export's CSV header");
  }
  ++position_;
  if (format_ != Format::kProtobuf) return read_json_line();
  if (!read_frame(buffer_)) return false;
  envelope_.Clear();
  if (!envelope_.ParseFromString(buffer_)) {
    return fail_at(leading_seq(buffer_, format_), "does not decode as an Envelope");
  }
  return true;
}

std::optional<std::size_t> raw_control_in_json_string(std::string_view json) {
  constexpr unsigned char kFirstPrintable = 0x20;
  bool in_string = false;
  bool escaped = false;  // the character before was the backslash of an escape (\" \\ \n ...)
  for (std::size_t i = 0; i < json.size(); ++i) {
    const auto c = static_cast<unsigned char>(json[i]);
    if (!in_string) {
      in_string = c == '"';
    } else if (c < kFirstPrintable) {
      return i;
    } else if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '"') {
      in_string = false;
    }
  }
  return std::nullopt;
}

Format detect_format(std::istream& in) {
  const int first = in.peek();
  if (first == '{') return Format::kJsonl;
  if (first == 's') {
    std::string start(csv_header().size(), '\0');
    const std::streampos at = in.tellg();
    in.read(start.data(), static_cast<std::streamsize>(start.size()));
    const bool csv =
        in.gcount() == static_cast<std::streamsize>(start.size()) && start == csv_header();
    in.clear();
    in.seekg(at);
    if (csv) return Format::kCsv;
  }
  return Format::kProtobuf;
}

}  // namespace turno::history
