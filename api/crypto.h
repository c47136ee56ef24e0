// Small cryptographic helpers over OpenSSL for tokens and webhook signatures.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace turno::api {

// HMAC-SHA256 of `message` under `key`: 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view message);

// Lower-case hex of raw bytes, and back (nullopt on odd length or a non-hex digit).
std::string hex_encode(std::string_view bytes);
std::optional<std::string> hex_decode(std::string_view text);

// Base64url without padding (RFC 7515 §2), and back (nullopt on any character outside the
// alphabet, padding included, or an impossible length).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// Compares in time independent of where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// `count` random bytes from OpenSSL's generator, as hex.
std::string random_hex(std::size_t count);

}  // namespace turno::api
