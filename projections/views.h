// The read views Turno has, by name.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "view.h"

namespace turno::projections {

// "agenda", "availability", "catalog", "clients", "invoices", "kpis".
const std::vector<std::string_view>& view_names();
// A new, empty view; null for an unknown name.
std::unique_ptr<View> make_view(std::string_view name);

}  // namespace turno::projections
