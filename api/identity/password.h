// Passwords: what a password may be, and its Argon2id hash (libsodium's crypto_pwhash_str).
//
// The stored hash is libsodium's encoded string ("$argon2id$v=19$m=…,t=…,p=1$salt$hash"): the
// algorithm, its parameters and a random salt travel with it, so parameters can be raised
// later and old hashes still verify (password_needs_rehash() says when to re-hash one at the
// next sign-in). Verification is libsodium's, constant-time in the hash compare.
//
// Parameters (kPasswordOpsLimit, kPasswordMemLimitBytes) are libsodium's "interactive" level:
// 2 passes over 64 MiB, about 50–100 ms of one core here. OWASP's password storage cheat sheet
// asks for at least 19 MiB and 2 passes for Argon2id; this is above it. Each hash in progress
// holds its 64 MiB, so callers bound how many run at once (kPasswordHashesInFlightMax).
//
// A hash is a secret: it lives in the secrets store only, never in an event, export, NATS
// message, snapshot that leaves the node, or log line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "status.h"

namespace turno::identity {

inline constexpr std::uint64_t kPasswordOpsLimit = 2;
inline constexpr std::size_t kPasswordMemLimitBytes = 64 * 1024 * 1024;
inline constexpr std::size_t kPasswordHashesInFlightMax = 2;  // one per core: 128 MiB at most

// NIST SP 800-63B: at least 8 characters, at least 64 accepted, every printable character and
// space allowed, no composition rules. The byte bound keeps a request's work bounded.
inline constexpr std::size_t kPasswordCharsMin = 8;
inline constexpr std::size_t kPasswordBytesMax = 256;

// Why `password` cannot be a password (too short, too long, not UTF-8, control characters),
// as a sentence that never repeats it; nullopt when it can.
std::optional<std::string> password_problem(std::string_view password);

// The encoded Argon2id hash of `password`; fails only when the system is out of memory.
Result<std::string> hash_password(std::string_view password);

// Whether `password` matches `stored` (an encoded hash from hash_password). False for a
// malformed `stored` too.
bool verify_password(std::string_view stored, std::string_view password);

// Whether `stored` was made with other parameters than today's (re-hash at the next sign-in).
bool password_needs_rehash(std::string_view stored);

}  // namespace turno::identity
