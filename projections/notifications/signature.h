// Signatures of outgoing webhooks, so a receiver can tell Turno sent the body unchanged:
//
//   Turno-Signature: t=<unix seconds>,v1=<lower-case hex HMAC-SHA256(secret, "<t>.<body>")>
//
// the same shape payment providers use (api/webhook.h), so receivers can reuse their code.
// A receiver should also reject a timestamp far from its clock (replays) and deduplicate by
// the Turno-Message-Id header (at-least-once delivery).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace turno::projections::notifications {

inline constexpr std::string_view kSignatureHeader = "Turno-Signature";
inline constexpr std::string_view kMessageIdHeader = "Turno-Message-Id";
inline constexpr std::string_view kAttemptHeader = "Turno-Delivery-Attempt";
inline constexpr std::string_view kKindHeader = "Turno-Message-Kind";

// HMAC-SHA256 of `message` under `key`, lower-case hex.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
// The header value signing `body` at `timestamp_s`.
std::string sign_body(std::string_view secret, std::int64_t timestamp_s, std::string_view body);
// True when `header` has the form above and its v1 matches `body` under `secret` (compared
// in constant time). Says nothing about the timestamp's age: the receiver decides that.
bool verify_signature(std::string_view header, std::string_view secret, std::string_view body);

// Standard base64 (RFC 4648, with padding), for MIME encoded words.
std::string base64_encode(std::string_view bytes);

}  // namespace turno::projections::notifications
