// The query string of a request target: its parameters decoded
// (application/x-www-form-urlencoded), and whole numbers read strictly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "problem.h"

namespace turno::api {

inline constexpr std::size_t kQueryParametersMax = 32;

using QueryParameters = std::vector<std::pair<std::string, std::string>>;

// `text` %-decoded ('+' is a space); nullopt for a broken %-escape.
std::optional<std::string> url_decoded(std::string_view text);

// The parameters after the '?' of `target`, in order, or a 400 when one does not decode or
// there are more than kQueryParametersMax.
std::variant<QueryParameters, Problem> query_parameters(std::string_view target);

// "123" -> 123; nullopt for anything else (sign, spaces, overflow, empty).
std::optional<std::uint64_t> whole_number(std::string_view text);

}  // namespace turno::api
