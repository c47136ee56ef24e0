// Field bounds: every string and number a command carries is bounded, so every envelope is too.
// decide() refuses what lies outside them; the API reads no more than they allow, so a request
// that is too large is refused before it reaches the writer. One definition for both.
#pragma once

#include <cstddef>
#include <cstdint>

#include "types.h"

namespace turno {

inline constexpr std::size_t kIdBytesMax = 64;  // ids: 1 to 64 of A-Z a-z 0-9 . _ -
// Who acts and for whom (actor.id, a hold's client_id): a token's subject, such as an e-mail.
inline constexpr std::size_t kSubjectBytesMax = 4 * kIdBytesMax;
inline constexpr std::size_t kCommandIdBytesMax = 255;  // an Idempotency-Key
inline constexpr std::size_t kProviderEventIdBytesMax = 255;
inline constexpr std::size_t kNameBytesMax = 200;
inline constexpr std::size_t kTextBytesMax = 500;  // addresses, reasons, notes
inline constexpr std::size_t kBioBytesMax = 2000;
inline constexpr std::size_t kUrlBytesMax = 500;
inline constexpr std::size_t kLanguagesMax = 10;
inline constexpr std::size_t kLanguageTagBytesMax = 16;
inline constexpr std::size_t kSkillsMax = 32;
inline constexpr std::size_t kWeeklyIntervalsMax = 7 * 8;
inline constexpr std::int64_t kPriceMinorMax = 1'000'000'000'000;  // 10^12 minor units
inline constexpr std::int32_t kDurationMinMax = 24 * 60;
inline constexpr std::int32_t kBufferMinMax = 8 * 60;
inline constexpr std::int64_t kInstantMsMin = 946'684'800'000;    // 2000-01-01T00:00Z
inline constexpr std::int64_t kInstantMsMax = 7'258'118'400'000;  // 2200-01-01T00:00Z
inline constexpr std::int64_t kTimeOffMsMax = 366 * kMsPerDay;

}  // namespace turno
