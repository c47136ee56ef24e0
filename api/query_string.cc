#include "query_string.h"

#include <charconv>

#include "crypto.h"

namespace turno::api {

std::optional<std::string> url_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else if (const auto byte =
                   i + 2 < text.size() ? hex_decode(text.substr(i + 1, 2)) : std::nullopt) {
      out += *byte;
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::variant<QueryParameters, Problem> query_parameters(std::string_view target) {
  QueryParameters parameters;
  const std::size_t question = target.find('?');
  std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    const auto name = url_decoded(pair.substr(0, equals));
    const auto value = url_decoded(equals == std::string_view::npos ? "" : pair.substr(equals + 1));
    if (!name || !value || parameters.size() == kQueryParametersMax) {
      return make_problem(http::status::bad_request, "validation",
                          "the query string does not read");
    }
    parameters.emplace_back(*name, *value);
  }
  return parameters;
}

std::optional<std::uint64_t> whole_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace turno::api
