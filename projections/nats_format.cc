#include "nats_format.h"

#include <charconv>

#include "big_endian.h"

namespace turno::projections::nats_format {
using big_endian::append_u32;
using big_endian::append_u64;
using big_endian::read_u32;
using big_endian::read_u64;

std::string subject_token(std::string_view text) {
  if (text.empty()) return "_";
  std::string out(text);
  for (char& c : out) {
    if (c == '.' || c == ' ' || c == '*' || c == '>') c = '_';
  }
  return out;
}

std::string command_subject(std::string_view tenant_id) {
  return "turno.cmd." + subject_token(tenant_id);
}

std::string command_queue_group(std::string_view shard_id) {
  return "turno-shard-" + std::string(shard_id);
}

std::string_view event_type(const v1::Envelope& envelope) {
  const auto* field = v1::Envelope::descriptor()->FindFieldByNumber(envelope.event_case());
  return field ? std::string_view(field->name()) : std::string_view("unknown");
}

std::string event_subject(const v1::Envelope& envelope) {
  std::string subject = "turno.evt.";
  subject += subject_token(envelope.tenant_id());
  subject += '.';
  subject += subject_token(envelope.site_id());
  subject += '.';
  subject += event_type(envelope);
  return subject;
}

std::string msg_id(std::string_view log_id, Seq seq) {
  return std::string(log_id) + "-" + std::to_string(seq.value);
}

std::optional<std::pair<std::string, Seq>> parse_msg_id(std::string_view id) {
  const std::size_t dash = id.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  std::uint64_t seq = 0;
  const char* end = id.data() + id.size();
  const auto parsed = std::from_chars(id.data() + dash + 1, end, seq);
  if (parsed.ec != std::errc() || parsed.ptr != end) return std::nullopt;
  return std::make_pair(std::string(id.substr(0, dash)), Seq{seq});
}

std::string log_read_subject(std::string_view log_id) {
  return "turno.log." + std::string(log_id) + ".read";
}

std::string encode_read_request(Seq from, std::uint32_t count) {
  std::string out;
  append_u64(out, from.value);
  append_u32(out, count);
  append_u32(out, 0);
  return out;
}

std::optional<std::pair<Seq, std::uint32_t>> decode_read_request(std::string_view bytes) {
  if (bytes.size() != kReadRequestBytes) return std::nullopt;
  return std::make_pair(Seq{read_u64(bytes)}, read_u32(bytes.substr(8)));
}

std::string encode_read_reply(const ReadReply& reply) {
  std::string out(1, static_cast<char>(kReplyOk));
  append_u64(out, reply.tail.value);
  append_u32(out, static_cast<std::uint32_t>(reply.envelopes.size()));
  for (const std::string& envelope : reply.envelopes) {
    append_u32(out, static_cast<std::uint32_t>(envelope.size()));
    out += envelope;
  }
  return out;
}

std::string encode_read_error(std::string_view message) {
  std::string out(1, static_cast<char>(kReplyError));
  out += message;
  return out;
}

Result<ReadReply> decode_read_reply(std::string_view bytes) {
  if (bytes.empty()) return Status::corruption("log read: empty reply");
  if (static_cast<std::uint8_t>(bytes[0]) == kReplyError) {
    return Status::io_error("log read: " + std::string(bytes.substr(1)));
  }
  if (static_cast<std::uint8_t>(bytes[0]) != kReplyOk || bytes.size() < 13) {
    return Status::corruption("log read: malformed reply");
  }
  ReadReply reply{Seq{read_u64(bytes.substr(1))}, {}};
  const std::uint32_t records = read_u32(bytes.substr(9));
  std::size_t position = 13;
  for (std::uint32_t i = 0; i < records; ++i) {
    if (bytes.size() - position < 4) return Status::corruption("log read: truncated reply");
    const std::uint32_t size = read_u32(bytes.substr(position));
    position += 4;
    if (bytes.size() - position < size) return Status::corruption("log read: truncated reply");
    reply.envelopes.emplace_back(bytes.substr(position, size));
    position += size;
  }
  if (position != bytes.size()) return Status::corruption("log read: trailing bytes");
  return reply;
}

}  // namespace turno::projections::nats_format
