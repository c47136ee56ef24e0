// Strong types for the numbers that must never be mixed up: log positions and instants.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace turno {

// A position in the global log: gapless, from 1. Seq{0} means "before the first event".
struct Seq {
  std::uint64_t value = 0;
  constexpr auto operator<=>(const Seq&) const = default;
  constexpr Seq next() const { return Seq{value + 1}; }
};

// An instant: Unix milliseconds, UTC.
struct InstantMs {
  std::int64_t value = 0;
  constexpr auto operator<=>(const InstantMs&) const = default;
};

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;

// SHA-256 digest: the hash chain's links and model/view digests.
using Hash = std::array<std::uint8_t, 32>;

std::string to_hex(std::string_view bytes);
inline std::string to_hex(const Hash& hash) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
}
// Hex (either case) to bytes; nullopt for an odd length or a non-hex character.
std::optional<std::string> from_hex(std::string_view text);
// 64 hex characters to a Hash; nullopt otherwise.
std::optional<Hash> hash_from_hex(std::string_view text);

}  // namespace turno
