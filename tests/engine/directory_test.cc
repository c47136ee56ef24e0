// Staff profiles, site and service updates, retirement and departure, on the pure core.
#include <doctest/doctest.h>

#include "harness.h"

using namespace turno;
using namespace turno::testing;

namespace {

constexpr std::int64_t kNineLima = kMonday2026_03_02 + 14 * kMsPerHour;

Rejection rejection_of(const Decision& decision) {
  REQUIRE_FALSE(decision.accepted());
  return *decision.rejection;
}

v1::Command profile(const v1::Actor& by, const std::string& staff_id, const std::string& url) {
  return booking_step("t1", "profile-" + staff_id + by.id() + url, by, [&](v1::Command& c) {
    auto& body = *c.mutable_update_staff_profile();
    body.set_staff_id(staff_id);
    body.set_specialty("Dermatology");
    body.set_bio("Ten years in practice.");
    body.set_photo_url(url);
    body.add_languages("es");
    body.add_languages("en");
  });
}

template <typename Fill>
v1::Command by_admin(const std::string& id, Fill fill) {
  return booking_step("t1", id, admin(), fill);
}

}  // namespace

TEST_CASE("staff edit their own profile; admins edit anyone's") {
  Harness h;
  h.standard_clinic();
  auto events = h.ok(profile(staff("ana", "lima"), "ana", "https://img.example/ana.jpg"));
  REQUIRE(events.size() == 1);
  CHECK(events[0].staff_profile_updated().specialty() == "Dermatology");
  CHECK(events[0].stream() == "t1/staff/ana");
  CHECK(rejection_of(h.run(profile(staff("ana", "lima"), "ben", ""))).code ==
        RejectionCode::kForbidden);
  CHECK(rejection_of(h.run(profile(client("c1"), "ben", ""))).code == RejectionCode::kForbidden);
  h.ok(profile(admin(), "ben", ""));
  CHECK(rejection_of(h.run(profile(admin(), "ben", "javascript:alert(1)"))).field == "photo_url");
  CHECK(rejection_of(h.run(profile(admin(), "nobody", ""))).code == RejectionCode::kUnknownId);
  // A staff id this tenant does not have (another tenant's) is not found, for anyone: 404,
  // not the 403 a colleague's existing profile gets.
  CHECK(rejection_of(h.run(profile(staff("ana", "lima"), "nobody", ""))).code ==
        RejectionCode::kUnknownId);
  CHECK(rejection_of(h.run(profile(client("c1"), "nobody", ""))).code == RejectionCode::kUnknownId);
}

TEST_CASE("a retired service takes no new bookings; existing ones are untouched") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  h.ok(by_admin("retire",
                [](v1::Command& c) { c.mutable_retire_service()->set_service_id("consult"); }));
  Rejection refused =
      rejection_of(h.run(hold("t1", "h2", client("c2"), "lima", "consult", "ben", kNineLima)));
  CHECK(refused.code == RejectionCode::kRetired);
  CHECK(refused.field == "service_id");
  // The existing booking goes on: paid, confirmed, even moved.
  h.ok(request_payment("t1", "p1", client("c1"), "b1", "pay1"));
  h.ok(payment_succeeded("t1", "w1", "pay1", 10'000, "evt1"));
  CHECK(h.booking("t1", "b1").status == BookingStatus::kConfirmed);
  h.ok(reschedule("t1", "r1", client("c1"), "b1", kNineLima + kMsPerHour));
  CHECK(rejection_of(h.run(by_admin("retire-again", [](v1::Command& c) {
          c.mutable_retire_service()->set_service_id("consult");
        }))).code == RejectionCode::kRetired);
}

TEST_CASE("a departed staff member takes no new bookings, and 'any staff' skips them") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  h.ok(by_admin("leave", [](v1::Command& c) { c.mutable_remove_staff()->set_staff_id("ana"); }));
  CHECK(rejection_of(
            h.run(hold("t1", "h2", client("c2"), "lima", "consult", "ana", kNineLima + kMsPerHour)))
            .code == RejectionCode::kRetired);
  for (int i = 0; i < 3; ++i) {
    auto held = h.ok(hold("t1", "any" + std::to_string(i), client("c3"), "lima", "consult", "",
                          kNineLima + (i + 2) * kMsPerHour));
    CHECK(held[0].slot_held().staff_id() == "ben");
  }
  CHECK(h.booking("t1", "b1").status == BookingStatus::kHeld);
  h.ok(cancel("t1", "x1", client("c1"), "b1"));
}

TEST_CASE("a retired site takes no new bookings or staff; updates change names, not history") {
  Harness h;
  h.standard_clinic();
  h.ok(by_admin("rename", [](v1::Command& c) {
    c.mutable_update_site()->set_site_id("lima");
    c.mutable_update_site()->set_name("Lima Centro");
    c.mutable_update_site()->set_address("Av. Arequipa 123");
  }));
  CHECK(h.tenant("t1").find_site("lima")->name == "Lima Centro");
  h.ok(by_admin("price", [](v1::Command& c) {
    auto& body = *c.mutable_update_service();
    body.set_service_id("consult");
    body.set_name("Consulta");
    body.set_duration_min(45);
    body.set_price_minor(12'000);
    body.set_required_skill("general");
  }));
  auto held = h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima));
  CHECK(held[0].slot_held().price_minor() == 12'000);
  CHECK(held[0].slot_held().end_ms() - held[0].slot_held().start_ms() == 45 * kMsPerMinute);
  h.ok(by_admin("close", [](v1::Command& c) { c.mutable_retire_site()->set_site_id("lima"); }));
  CHECK(rejection_of(h.run(hold("t1", "h2", client("c2"), "lima", "consult", "ben",
                                kNineLima + 2 * kMsPerHour)))
            .code == RejectionCode::kRetired);
  CHECK(rejection_of(h.run(add_staff("t1", "st", "carl", "lima", {"general"}))).code ==
        RejectionCode::kRetired);
  CHECK(to_hex(model_digest(replay(h.log()))) == to_hex(model_digest(h.model())));
  auto decoded = decode_model(encode_model(h.model()));
  REQUIRE(decoded.is_ok());
  CHECK(decoded.value().find_tenant("t1")->find_site("lima")->retired);
}
