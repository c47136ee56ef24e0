// What travels over NATS, and its byte layout.
//
// Events (JetStream stream TURNO_EVENTS, subjects turno.evt.>):
//   subject   turno.evt.<tenant>.<site>.<event type>   e.g. turno.evt.t1.lima.slot_held
//             (<site> is "_" for tenant-wide facts; a "." inside an id becomes "_": the
//             subject only routes and filters, the payload carries the exact ids)
//   header    Nats-Msg-Id: <log id>-<seq>   JetStream drops a repeat within the dedup window
//   payload   the Envelope's protobuf bytes, exactly as stored in the log (and hashed)
//
// Log reads (request/reply on turno.log.<log id>.read, served by the command node) fill the
// gaps a query node finds (JetStream may lose acknowledged messages in a crash):
//   request   from seq (8, BE) | count (4, BE) | reserved, 0 (4)                 16 bytes
//   reply     status (1): 0 ok, 1 error
//             ok:    log tail seq (8, BE) | records (4, BE) |
//                    records x [ envelope bytes length (4, BE) | envelope bytes ]
//             error: the message text
// Commands (request/reply on turno.cmd.<tenant>, api/shard_routing.h): an API node that does
// not own a tenant forwards the validated command to the shard that does:
//   request   the v1.Command's protobuf bytes (schemas/commands.proto), idempotency key inside
//   reply     a v1.CommandReply's protobuf bytes, sent after the command's events are durable
// Each shard's command nodes subscribe to their tenants' subjects in queue group
// turno-shard-<shard id>, so one of them answers.
//
// A reply holds at most kReadRecordsMax records and kReadReplyBytesMax bytes (NATS's default
// max_payload is 1 MiB); the requester asks again from where it stopped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events.pb.h"
#include "status.h"
#include "types.h"

namespace turno::projections::nats_format {

inline constexpr std::string_view kStream = "TURNO_EVENTS";
inline constexpr std::string_view kEventSubjects = "turno.evt.>";
inline constexpr std::string_view kMsgIdHeader = "Nats-Msg-Id";
inline constexpr std::int64_t kDuplicateWindowMs = 2 * 60 * 1000;

inline constexpr std::size_t kReadRequestBytes = 16;
inline constexpr std::uint32_t kReadRecordsMax = 1000;
inline constexpr std::size_t kReadReplyBytesMax = 900 * 1024;
inline constexpr std::uint8_t kReplyOk = 0;
inline constexpr std::uint8_t kReplyError = 1;

// "turno.evt.<tenant>.<site>.<event type>".
std::string event_subject(const v1::Envelope& envelope);
// The oneof field's name: "slot_held", "payment_succeeded", ...
std::string_view event_type(const v1::Envelope& envelope);
// "<log id>-<seq>", and back.
std::string msg_id(std::string_view log_id, Seq seq);
std::optional<std::pair<std::string, Seq>> parse_msg_id(std::string_view id);
// "turno.cmd.<tenant>" (tenant as a subject token: "." and wildcards become "_").
std::string command_subject(std::string_view tenant_id);
// "turno-shard-<shard id>".
std::string command_queue_group(std::string_view shard_id);
// `text` as one subject token: never empty, "." " " "*" ">" become "_".
std::string subject_token(std::string_view text);
// "turno.log.<log id>.read".
std::string log_read_subject(std::string_view log_id);

std::string encode_read_request(Seq from, std::uint32_t count);
// nullopt when not kReadRequestBytes long.
std::optional<std::pair<Seq, std::uint32_t>> decode_read_request(std::string_view bytes);

struct ReadReply {
  Seq tail;
  std::vector<std::string> envelopes;  // protobuf bytes, consecutive seqs from the one asked
};
std::string encode_read_reply(const ReadReply& reply);
std::string encode_read_error(std::string_view message);
// The reply, or the error it carries (io_error), or corruption when malformed.
Result<ReadReply> decode_read_reply(std::string_view bytes);

}  // namespace turno::projections::nats_format
