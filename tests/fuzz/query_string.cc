// Query strings: any target decodes to parameters or a 400, never more than the limit, and
// whole numbers read back exactly as they print.
#include "query_string.h"

#include <string>

#include "targets.h"
#include "verify.h"

namespace turno::fuzz {

void query_string(std::string_view input) {
  const auto parsed = api::query_parameters(input);
  if (const auto* parameters = std::get_if<api::QueryParameters>(&parsed)) {
    VERIFY(parameters->size() <= api::kQueryParametersMax, "at most the limit of parameters");
  }
  if (const auto decoded = api::url_decoded(input)) {
    VERIFY(decoded->size() <= input.size(), "decoding never grows the text");
  }
  if (const auto number = api::whole_number(input)) {
    const std::string printed = std::to_string(*number);
    // Leading zeros read as the same number; anything else must print back the same.
    const std::size_t zeros = input.size() - printed.size();
    VERIFY(input.size() >= printed.size() && input.substr(zeros) == printed,
           "a whole number is its digits");
  }
}

}  // namespace turno::fuzz
