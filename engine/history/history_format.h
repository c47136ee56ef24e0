// The export formats of `turno export` and GET /v1/events, one header for all three.
//
// Every format is a sequence of Envelopes (schemas/events.proto) in seq order, each with its
// `hash` field set, then exactly one summary Envelope: seq 0, no event, `export_summary` set
// (what was scanned, the filter, the seqs exported as ranges, the log's head at export time).
//
//   jsonl     one Envelope per line in the proto3 JSON mapping (lowerCamelCase names, 64-bit
//             integers as strings, bytes such as hash and prevHash in base64), "\n" after each.
//   csv       RFC 4180: the header row kCsvColumns, then one row per Envelope. hash and
//             prev_hash are hex; `type` is the event's oneof field name ("export_summary" on
//             the summary row); `envelope` is the record's JSON exactly as in jsonl. A row
//             whose columns do not say what its envelope says fails verification.
//   protobuf  each Envelope as a varint32 length, then that many bytes (the framing of
//             parseDelimitedFrom / writeDelimitedTo): the log's bytes of the record followed
//             by its `hash` field.
//
// Checking a record without the engine: parse it, take `hash` out, serialize the rest (the
// log's bytes are canonical protobuf — fields in number order, no unknown fields — and the
// exporter refuses a record whose bytes are not), and compare SHA-256(prev_hash || bytes)
// with `hash`. When records n and n+1 are both present, n+1's prev_hash must be n's hash.
#pragma once

#include <cstddef>
#include <string_view>

namespace turno::history {

enum class Format { kJsonl, kCsv, kProtobuf };

inline constexpr std::string_view kCsvColumns[] = {
    "seq",      "hash",           "prev_hash", "recorded_at_ms", "tenant_id",      "site_id",
    "stream",   "stream_version", "type",      "command_id",     "correlation_id", "actor_role",
    "actor_id", "envelope"};
inline constexpr std::string_view kSummaryType = "export_summary";

// Bounds a reader holds a file to. A record is an envelope (engine bound 64 KiB) plus its
// hash, in JSON at most about twice that; a summary lists ranges and may be large.
inline constexpr std::size_t kRecordBytesMax = 1u << 20;
inline constexpr std::size_t kSummaryBytesMax = 256u << 20;

}  // namespace turno::history
