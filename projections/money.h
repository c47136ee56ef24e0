// Money for people: integer minor units shown with the currency's decimals (ISO 4217).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace turno::projections {

// Digits after the decimal point in `currency` (2 unless ISO 4217 says 0 or 3).
int minor_unit_digits(std::string_view currency);
// "1,234.50 PEN", "-10.00 EUR", "15,000 CLP"; exact, from the integer.
std::string format_money(std::int64_t amount_minor, std::string_view currency);
// "18.00 %" from basis points.
std::string format_rate_bp(std::int32_t rate_bp);

}  // namespace turno::projections
