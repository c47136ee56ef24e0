// RFC 3339 timestamps <-> Unix milliseconds. The API speaks RFC 3339 with an offset
// ("2026-03-02T09:00:00-05:00", "...Z"); the engine speaks Unix ms UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace turno::api {

// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`. The date must exist (no Feb 30),
// the offset is required, second 60 is refused; fractions finer than a millisecond are cut.
// nullopt for anything else.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

// `unix_ms` as `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` before the Z when not a whole second.
std::string format_rfc3339(std::int64_t unix_ms);

}  // namespace turno::api
