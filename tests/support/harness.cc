#include "harness.h"

#include <doctest/doctest.h>

namespace turno::testing {

std::vector<v1::Envelope> Harness::ok(const v1::Command& command) {
  Decision decision = run(command);
  INFO("command ", command.command_id());
  if (!decision.accepted()) {
    FAIL_CHECK("rejected: ", to_string(decision.rejection->code), " ", decision.rejection->field,
               " ", decision.rejection->detail);
  }
  return decision.events;
}

void Harness::standard_clinic(const std::string& tenant, const std::string& zone) {
  ok(register_tenant(tenant, "reg-" + tenant));
  ok(open_site(tenant, "site-" + tenant, "lima", zone));
  ok(define_service(tenant, "svc-" + tenant, "consult", 30, 10'000, "general", 0, 5));
  for (const std::string name : {"ana", "ben"}) {
    ok(add_staff(tenant, "staff-" + name + tenant, name, "lima", {"general"}));
    ok(set_schedule(tenant, "sched-" + name + tenant, name, {1, 2, 3, 4, 5}, 9 * 60, 17 * 60));
  }
}

Model replay(const std::vector<v1::Envelope>& events) {
  Model model;
  for (const auto& event : events) evolve(model, event);
  return model;
}

}  // namespace turno::testing
