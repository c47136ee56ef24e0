#include "money.h"

#include <array>

namespace turno::projections {
namespace {

constexpr std::array<std::string_view, 16> kNoMinorUnit = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                                           "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                                           "VND", "VUV", "XAF", "XOF"};
constexpr std::array<std::string_view, 7> kThreeDigits = {"BHD", "IQD", "JOD", "KWD",
                                                          "LYD", "OMR", "TND"};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& list, std::string_view code) {
  for (std::string_view entry : list) {
    if (entry == code) return true;
  }
  return false;
}

std::string group_thousands(std::uint64_t whole) {
  std::string digits = std::to_string(whole);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

int minor_unit_digits(std::string_view currency) {
  if (listed(kNoMinorUnit, currency)) return 0;
  if (listed(kThreeDigits, currency)) return 3;
  return 2;
}

std::string format_money(std::int64_t amount_minor, std::string_view currency) {
  const int digits = minor_unit_digits(currency);
  std::uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  const bool negative = amount_minor < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(amount_minor)
                                           : static_cast<std::uint64_t>(amount_minor);
  std::string out = negative ? "-" : "";
  out += group_thousands(magnitude / scale);
  if (digits > 0) {
    std::string fraction = std::to_string(magnitude % scale);
    out += "." + std::string(static_cast<std::size_t>(digits) - fraction.size(), '0') + fraction;
  }
  out.push_back(' ');
  out += currency;
  return out;
}

std::string format_rate_bp(std::int32_t rate_bp) {
  std::string fraction = std::to_string(rate_bp % 100);
  if (fraction.size() < 2) fraction.insert(0, "0");
  return std::to_string(rate_bp / 100) + "." + fraction + " %";
}

}  // namespace turno::projections
