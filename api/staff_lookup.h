// Whether a staff id exists in the caller's tenant, for the routes that must answer 404 for an
// id the tenant does not have before they decide anything else (the profile a staff member may
// not edit, a staff member's notification contact). The answer comes from the notifications
// view's catalog, as of every event committed before the request.
#pragma once

#include <string_view>

#include "api.h"

namespace turno::api {

enum class StaffExistence {
  kExists,
  kAbsent,      // the tenant never had this staff member
  kCatchingUp,  // the view has not yet folded every event committed before the request
  kCannotTell,  // no notifications view on this node, or another shard owns the tenant
};

StaffExistence staff_existence(const Call& call, std::string_view staff_id);

// 404 "no staff member ID" (field `id`).
Problem unknown_staff(std::string_view staff_id);

}  // namespace turno::api
