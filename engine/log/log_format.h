// The on-disk layout of the event log (one RocksDB database, four column families).
//
//   column family "events"    key: seq, 8 bytes big-endian (so keys sort in log order)
//                             value: hash(n), 32 bytes || Envelope n, protobuf bytes
//   column family "streams"   key: stream name bytes || 0x00 || stream_version, 8 bytes BE
//                             value: seq, 8 bytes big-endian
//   column family "outcomes"  key: tenant_id bytes || 0x00 || command_id bytes
//                             value: CommandOutcome, protobuf bytes
//   column family "ids"       key: tenant_id bytes || 0x00 || kind (1 byte) || 0x00 || id bytes
//                             value: the id of the booking whose events introduced it
//                             (kinds: 'p' payment id, 'r' refund id, 'e' provider event key);
//                             derived from the events: rebuilt at a read-write open when it is
//                             missing or incomplete (its key "" says "complete"); read-write only
//   column family "default"   key "log_id": 32 lowercase hex characters naming this log
//                             (random at creation; the NATS message id prefix)
//                             key "format": "1"
//
// hash(n) = SHA-256(hash(n-1) || Envelope n bytes), with hash(0) = 32 zero bytes, and
// Envelope n carries prev_hash = hash(n-1). Stream names and tenant ids never contain 0x00.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "big_endian.h"
#include "types.h"

namespace turno::log_format {

inline constexpr std::string_view kEventsFamily = "events";
inline constexpr std::string_view kStreamsFamily = "streams";
inline constexpr std::string_view kOutcomesFamily = "outcomes";
inline constexpr std::string_view kIdsFamily = "ids";
inline constexpr std::string_view kIdsCompleteKey = "";  // in "ids": the index covers the log
inline constexpr std::string_view kLogIdKey = "log_id";
inline constexpr std::string_view kFormatKey = "format";
inline constexpr std::string_view kFormatVersion = "1";

inline constexpr std::size_t kSeqKeyBytes = 8;
inline constexpr std::size_t kHashBytes = 32;
// An envelope larger than this is a programmer error: commands bound every string they carry.
inline constexpr std::size_t kEnvelopeBytesMax = 64 * 1024;

inline std::string encode_u64(std::uint64_t value) {
  std::string out;
  big_endian::append_u64(out, value);
  return out;
}

inline std::uint64_t decode_u64(std::string_view bytes) {
  return big_endian::read_u64(bytes);
}

inline std::string event_key(Seq seq) {
  return encode_u64(seq.value);
}

// Each key is built into a caller's buffer (assign_*: the hot path reuses one, so staging an
// event allocates nothing once the buffer has grown) or returned as a new string.
inline void assign_stream_key(std::string& key, std::string_view stream, std::uint64_t version) {
  key.assign(stream);
  key.push_back('\0');
  big_endian::append_u64(key, version);
}

inline std::string stream_key(std::string_view stream, std::uint64_t version) {
  std::string key;
  assign_stream_key(key, stream, version);
  return key;
}

inline std::string stream_prefix(std::string_view stream) {
  std::string key(stream);
  key.push_back('\0');
  return key;
}

inline void assign_outcome_key(std::string& key, std::string_view tenant_id,
                               std::string_view command_id) {
  key.assign(tenant_id);
  key.push_back('\0');
  key += command_id;
}

inline std::string outcome_key(std::string_view tenant_id, std::string_view command_id) {
  std::string key;
  assign_outcome_key(key, tenant_id, command_id);
  return key;
}

// What an "ids" entry names.
enum class IdKind : char { kPayment = 'p', kRefund = 'r', kProviderEvent = 'e' };

inline void assign_id_key(std::string& key, std::string_view tenant_id, IdKind kind,
                          std::string_view id) {
  key.assign(tenant_id);
  key.push_back('\0');
  key.push_back(static_cast<char>(kind));
  key.push_back('\0');
  key += id;
}

inline std::string id_key(std::string_view tenant_id, IdKind kind, std::string_view id) {
  std::string key;
  assign_id_key(key, tenant_id, kind, id);
  return key;
}

}  // namespace turno::log_format
