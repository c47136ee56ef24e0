// The catalog and the payment webhooks both benchmark workloads write (history_workload.h,
// network_workload.h): tenants in PEN with an 18 % tax, sites in America/Lima, one 30-minute
// "consult" service, staff with the skill it needs, working 09:00-17:00.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "commands.pb.h"
#include "status.h"
#include "writer.h"

namespace turno::bench {

inline constexpr std::int64_t kConsultPriceMinor = 10'000;

struct CatalogPlan {
  struct Tenant {
    std::string id;
    std::string name;
    int sites = 1;  // "s0", "s1", ...
  };
  struct Staff {
    std::string tenant;
    std::string id;
    std::string site;
  };
  std::vector<Tenant> tenants;
  std::vector<Staff> staff;  // joined and scheduled in this order
  int last_weekday = 5;      // works ISO weekdays 1 (Monday) to this one
};

// Writes the plan in four group commits: tenants; sites and the service; staff; schedules.
Status write_catalog(Writer& writer, const CatalogPlan& plan);

// A verified provider webhook from the sandbox: payment `payment_id` succeeded for
// kConsultPriceMinor PEN, or failed (card declined).
v1::Command payment_webhook(const std::string& tenant, const std::string& command_id,
                            const std::string& payment_id, const std::string& provider_event_id,
                            bool failed);

}  // namespace turno::bench
