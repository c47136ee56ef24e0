// Catalog commands and their validation, on the pure core.
#include <doctest/doctest.h>

#include "harness.h"

using namespace turno;
using namespace turno::testing;

namespace {
Rejection rejection_of(const Decision& decision) {
  REQUIRE_FALSE(decision.accepted());
  return *decision.rejection;
}
}  // namespace

TEST_CASE("registering a tenant records it and its default policy") {
  Harness h;
  auto events = h.ok(register_tenant("t1", "r1"));
  REQUIRE(events.size() == 2);
  CHECK(events[0].tenant_registered().currency() == "PEN");
  CHECK(events[1].policy_set().hold_ttl_s() == 600);
  CHECK(events[0].stream() == "t1/tenant");
  CHECK(events[1].stream_version() == 2);
  CHECK(rejection_of(h.run(register_tenant("t1", "r2"))).code == RejectionCode::kAlreadyExists);
  v1::Command by_admin = register_tenant("t2", "r3");
  *by_admin.mutable_actor() = admin();
  CHECK(rejection_of(h.run(by_admin)).code == RejectionCode::kForbidden);
}

TEST_CASE("validation errors name the field") {
  Harness h;
  h.ok(register_tenant("t1", "r1"));
  v1::Command bad_currency = register_tenant("t2", "r2");
  bad_currency.mutable_register_tenant()->set_currency("soles");
  CHECK(rejection_of(h.run(bad_currency)).field == "currency");

  v1::Command bad_zone = open_site("t1", "s1", "lima", "Mars/Olympus");
  Rejection zone = rejection_of(h.run(bad_zone));
  CHECK(zone.code == RejectionCode::kValidation);
  CHECK(zone.field == "time_zone");

  v1::Command bad_id = open_site("t1", "s2", "lima/../x", "America/Lima");
  CHECK(rejection_of(h.run(bad_id)).field == "site_id");

  h.ok(open_site("t1", "s3", "lima", "America/Lima"));
  CHECK(rejection_of(h.run(define_service("t1", "v1", "x", 0, 100, "general"))).field ==
        "duration_min");
  CHECK(rejection_of(h.run(define_service("t1", "v2", "x", 30, -1, "general"))).field ==
        "price_minor");
  CHECK(rejection_of(h.run(add_staff("t1", "a1", "ana", "nowhere", {"general"}))).code ==
        RejectionCode::kUnknownId);

  h.ok(add_staff("t1", "a2", "ana", "lima", {"general"}));
  v1::Command overlapping = set_schedule("t1", "c1", "ana", {1}, 9 * 60, 13 * 60);
  auto* extra = overlapping.mutable_set_schedule()->add_intervals();
  extra->set_weekday(1);
  extra->set_start_min(12 * 60);
  extra->set_end_min(18 * 60);
  CHECK(rejection_of(h.run(overlapping)).field == "intervals");
  CHECK(rejection_of(h.run(set_schedule("t1", "c2", "ana", {8}, 0, 60))).field ==
        "intervals.weekday");

  v1::PolicySet policy;
  policy.set_hold_ttl_s(5);
  CHECK(rejection_of(h.run(set_policy("t1", "p1", policy))).field == "policy.hold_ttl_s");

  v1::Command empty = command("t1", "e1", admin());
  CHECK(rejection_of(h.run(empty)).field == "kind");
  v1::Command no_key = open_site("t1", "", "x", "America/Lima");
  CHECK(rejection_of(h.run(no_key)).field == "command_id");
}

TEST_CASE("ids left empty are derived from the log position") {
  Harness h;
  h.ok(register_tenant("t1", "r1"));
  auto site = h.ok(open_site("t1", "s1", "", "America/Lima"));
  CHECK(site[0].site_opened().site_id() == "site_3");
  // A caller who took the derived id first does not break the next derivation.
  h.ok(open_site("t1", "s2", "site_5", "America/Lima"));
  auto next = h.ok(open_site("t1", "s3", "", "America/Lima"));
  CHECK(next[0].site_opened().site_id() == "site_5_2");
}

TEST_CASE("catalog commands need an admin of the tenant") {
  Harness h;
  h.ok(register_tenant("t1", "r1"));
  v1::Command by_client = open_site("t1", "s1", "lima", "America/Lima");
  *by_client.mutable_actor() = client("c1");
  CHECK(rejection_of(h.run(by_client)).code == RejectionCode::kForbidden);
  CHECK(rejection_of(h.run(open_site("nope", "s2", "lima", "America/Lima"))).code ==
        RejectionCode::kUnknownId);
}
