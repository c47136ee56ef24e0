#include "staff_lookup.h"

#include "notification_service.h"
#include "shard_routing.h"

namespace turno::api {

StaffExistence staff_existence(const Call& call, std::string_view staff_id) {
  using Lookup = projections::notifications::NotificationService::StaffLookup;
  const auto* service = call.api.find<projections::notifications::NotificationService>();
  const ShardRouting* shards = call.api.find<ShardRouting>();
  const std::string& tenant = call.who().tenant;
  // Another shard's tenant is not in this node's log, so not in its view either.
  if (service == nullptr || (shards != nullptr && !shards->owns(tenant))) {
    return StaffExistence::kCannotTell;
  }
  switch (service->find_staff(tenant, staff_id)) {
    case Lookup::kKnown:
      return StaffExistence::kExists;
    case Lookup::kUnknown:
      return StaffExistence::kAbsent;
    case Lookup::kCatchingUp:
      break;
  }
  return StaffExistence::kCatchingUp;
}

Problem unknown_staff(std::string_view staff_id) {
  return make_problem(http::status::not_found, "unknown_id",
                      "no staff member " + std::string(staff_id), "id");
}

}  // namespace turno::api
