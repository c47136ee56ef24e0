// The world both simulations run in (simulation_test.cc drives decide/evolve alone,
// writer_simulation_test.cc the whole writer): two tenants, one prepaid and one paying at the
// desk, each with one site, three services and four staff members, and the same policy.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "commands.h"

namespace turno::testing::simulation {

inline constexpr const char* kTenants[] = {"prepaid", "desk"};
inline constexpr const char* kStaff[] = {"ana", "ben", "cris", "dora"};
inline constexpr const char* kServices[] = {"consult", "surgery", "cleaning"};

// A whole number from the environment (TURNO_SIM_SEED, TURNO_SIM_COMMANDS), else `fallback`.
inline std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value ? std::strtoull(value, nullptr, 10) : fallback;
}

// The commands that set up `tenant`, in order; every one must be accepted.
inline std::vector<v1::Command> world_commands(const std::string& tenant) {
  v1::PolicySet policy;
  policy.set_hold_ttl_s(900);
  policy.set_free_cancel_window_min(24 * 60);
  policy.set_late_cancel_refund_pct(40);
  policy.set_no_show_grace_min(10);
  policy.set_min_notice_min(30);
  policy.set_horizon_days(14);
  policy.set_slot_step_min(15);
  policy.set_prepayment_required(tenant == "prepaid");
  std::vector<v1::Command> commands = {
      register_tenant(tenant, "reg-" + tenant),
      set_policy(tenant, "pol-" + tenant, policy),
      open_site(tenant, "site-" + tenant, "lima", "America/Santiago"),
      define_service(tenant, "s1" + tenant, "consult", 30, 8'000, "general", 0, 5),
      define_service(tenant, "s2" + tenant, "surgery", 90, 45'000, "surgery", 15, 15),
      define_service(tenant, "s3" + tenant, "cleaning", 45, 12'345, "general", 5, 0)};
  for (int i = 0; i < 4; ++i) {
    const std::string name = kStaff[i];
    commands.push_back(
        i % 2 == 0 ? add_staff(tenant, "st-" + name + tenant, name, "lima", {"general", "surgery"})
                   : add_staff(tenant, "st-" + name + tenant, name, "lima", {"general"}));
    commands.push_back(
        set_schedule(tenant, "sc-" + name + tenant, name, {1, 2, 3, 4, 5, 6}, 8 * 60, 18 * 60));
  }
  return commands;
}

}  // namespace turno::testing::simulation
