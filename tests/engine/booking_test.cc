// The booking lifecycle and its invariants, on the pure core.
#include <doctest/doctest.h>

#include "harness.h"

using namespace turno;
using namespace turno::testing;

namespace {

constexpr std::int64_t kNineLima = kMonday2026_03_02 + 14 * kMsPerHour;  // 09:00 -05:00

RejectionCode code_of(const Decision& decision) {
  REQUIRE_FALSE(decision.accepted());
  return decision.rejection->code;
}

}  // namespace

TEST_CASE("a held slot blocks the staff member, buffers included") {
  Harness h;
  h.standard_clinic();
  auto events = h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  REQUIRE(events.size() == 1);
  const auto& held = events[0].slot_held();
  CHECK(held.staff_id() == "ana");
  CHECK(held.end_ms() == kNineLima + 30 * kMsPerMinute);
  CHECK(held.price_minor() == 10'000);
  CHECK(held.expires_at_ms() == h.now() + 600 * kMsPerSecond);
  CHECK(events[0].stream() == "t1/booking/b1");
  CHECK(events[0].stream_version() == 1);

  // Overlapping the appointment.
  CHECK(code_of(h.run(hold("t1", "h2", client("c2"), "lima", "consult", "ana",
                           kNineLima + 15 * kMsPerMinute))) == RejectionCode::kSlotTaken);
  // Starting right at its end: inside the 5-minute buffer after.
  CHECK(code_of(h.run(hold("t1", "h3", client("c2"), "lima", "consult", "ana",
                           kNineLima + 30 * kMsPerMinute))) == RejectionCode::kSlotTaken);
  // After the buffer: fine.
  h.ok(hold("t1", "h4", client("c2"), "lima", "consult", "ana", kNineLima + 35 * kMsPerMinute));
  // Another staff member at the same time: fine.
  h.ok(hold("t1", "h5", client("c3"), "lima", "consult", "ben", kNineLima));
}

TEST_CASE("a buffer before the appointment also blocks") {
  Harness h;
  h.standard_clinic();
  h.ok(define_service("t1", "svc-prep", "surgery", 60, 50'000, "general", 15, 0));
  // Consult 10:00-10:30 blocks ana until 10:35 (5 minutes after).
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima + kMsPerHour));
  // Surgery at 10:45 needs ana from 10:30 (15 minutes of preparation): taken.
  CHECK(code_of(h.run(hold("t1", "h2", client("c2"), "lima", "surgery", "ana",
                           kNineLima + kMsPerHour + 45 * kMsPerMinute))) ==
        RejectionCode::kSlotTaken);
  // At 10:50 the preparation starts at 10:35: free.
  h.ok(hold("t1", "h3", client("c2"), "lima", "surgery", "ana",
            kNineLima + kMsPerHour + 50 * kMsPerMinute));
}

TEST_CASE("holds outside hours, in time off, without skill or at another site are refused") {
  Harness h;
  h.standard_clinic();
  h.ok(open_site("t1", "site2", "arequipa", "America/Lima"));
  h.ok(add_staff("t1", "st-carl", "carl", "arequipa", {"general"}));
  h.ok(define_service("t1", "svc-ker", "keratin", 90, 20'000, "hair"));

  SUBCASE("before opening") {
    CHECK(code_of(h.run(hold("t1", "x", client("c"), "lima", "consult", "ana",
                             kNineLima - 30 * kMsPerMinute))) ==
          RejectionCode::kOutsideWorkingHours);
  }
  SUBCASE("running past closing") {
    CHECK(code_of(h.run(hold("t1", "x", client("c"), "lima", "consult", "ana",
                             kNineLima + 8 * kMsPerHour - 15 * kMsPerMinute))) ==
          RejectionCode::kOutsideWorkingHours);
  }
  SUBCASE("on a Saturday") {
    CHECK(code_of(h.run(hold("t1", "x", client("c"), "lima", "consult", "ana",
                             kNineLima + 5 * kMsPerDay))) == RejectionCode::kOutsideWorkingHours);
  }
  SUBCASE("in time off") {
    h.ok(add_time_off("t1", "off", "ana", kNineLima - kMsPerHour, kNineLima + kMsPerHour));
    CHECK(code_of(h.run(hold("t1", "x", client("c"), "lima", "consult", "ana", kNineLima))) ==
          RejectionCode::kInTimeOff);
    h.ok(hold("t1", "y", client("c"), "lima", "consult", "ana", kNineLima + kMsPerHour));
  }
  SUBCASE("lacking the skill") {
    CHECK(code_of(h.run(hold("t1", "x", client("c"), "lima", "keratin", "ana", kNineLima))) ==
          RejectionCode::kLacksSkill);
  }
  SUBCASE("at another site") {
    CHECK(code_of(h.run(hold("t1", "x", client("c"), "lima", "consult", "carl", kNineLima))) ==
          RejectionCode::kWrongSite);
  }
  SUBCASE("unknown ids name the field") {
    Decision decision = h.run(hold("t1", "x", client("c"), "lima", "nope", "ana", kNineLima));
    CHECK(code_of(decision) == RejectionCode::kUnknownId);
    CHECK(decision.rejection->field == "service_id");
  }
  SUBCASE("before the minimum notice or past the horizon") {
    v1::PolicySet policy;
    policy.set_hold_ttl_s(600);
    policy.set_min_notice_min(120);
    policy.set_horizon_days(30);
    policy.set_slot_step_min(15);
    policy.set_prepayment_required(true);
    h.ok(set_policy("t1", "pol", policy));
    h.set_now(kNineLima - 60 * kMsPerMinute);
    CHECK(code_of(h.run(hold("t1", "x", client("c"), "lima", "consult", "ana", kNineLima))) ==
          RejectionCode::kOutsideBookingWindow);
    CHECK(code_of(h.run(hold("t1", "y", client("c"), "lima", "consult", "ana",
                             kNineLima + 35 * kMsPerDay))) == RejectionCode::kOutsideBookingWindow);
  }
}

TEST_CASE("any staff: the least loaded qualified member that day, deterministically") {
  Harness h;
  h.standard_clinic();
  auto first = h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "", kNineLima));
  CHECK(first[0].slot_held().staff_id() == "ana");  // tie: by id
  auto second = h.ok(hold("t1", "h2", client("c2"), "lima", "consult", "", kNineLima + kMsPerHour));
  CHECK(second[0].slot_held().staff_id() == "ben");  // ana has one that day
  auto third = h.ok(hold("t1", "h3", client("c3"), "lima", "consult", "", kNineLima));
  CHECK(third[0].slot_held().staff_id() == "ben");  // ana is taken at 09:00
  CHECK(code_of(h.run(hold("t1", "h4", client("c4"), "lima", "consult", "", kNineLima))) ==
        RejectionCode::kSlotTaken);
}

TEST_CASE("holds expire by the writer's timer command, and free the slot") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  REQUIRE(h.model().timers.size() == 1);
  v1::Command expire = command("t1", "timer/expire/b1", actor(v1::ROLE_SYSTEM, "engine"));
  expire.mutable_expire_hold()->set_booking_id("b1");
  CHECK(code_of(h.run(expire)) == RejectionCode::kInvalidTransition);  // not yet
  h.advance(601 * kMsPerSecond);
  h.ok(expire);
  CHECK(h.booking("t1", "b1").status == BookingStatus::kExpired);
  CHECK(h.model().timers.empty());
  h.ok(hold("t1", "h2", client("c2"), "lima", "consult", "ana", kNineLima));
  // Only the engine issues expiries.
  v1::Command by_client = command("t1", "x", client("c1"));
  by_client.mutable_expire_hold()->set_booking_id("b1");
  CHECK(code_of(h.run(by_client)) == RejectionCode::kForbidden);
}

TEST_CASE("clients see only their own bookings, staff only their site's") {
  Harness h;
  h.standard_clinic();
  h.ok(open_site("t1", "site2", "arequipa", "America/Lima"));
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  CHECK(code_of(h.run(cancel("t1", "x1", client("c2"), "b1"))) == RejectionCode::kUnknownId);
  CHECK(code_of(h.run(cancel("t1", "x2", staff("carl", "arequipa"), "b1"))) ==
        RejectionCode::kUnknownId);
  CHECK(code_of(h.run(hold("t1", "x3", staff("carl", "arequipa"), "lima", "consult", "ana",
                           kNineLima + kMsPerHour))) == RejectionCode::kUnknownId);
  h.ok(hold("t1", "x4", client("c1"), "lima", "consult", "ana", kNineLima + kMsPerHour));
  v1::Command for_other =
      hold("t1", "x5", client("c1"), "lima", "consult", "ana", kNineLima + 2 * kMsPerHour);
  for_other.mutable_hold_slot()->set_client_id("c9");
  CHECK(code_of(h.run(for_other)) == RejectionCode::kForbidden);
  // Another tenant's token cannot reach t1's bookings: the tenant is part of every command.
  h.standard_clinic("t2");
  CHECK(code_of(h.run(cancel("t2", "x6", admin(), "b1"))) == RejectionCode::kUnknownId);
}

TEST_CASE("reschedule moves the blocked time; the old slot frees") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  h.ok(hold("t1", "h2", client("c2"), "lima", "consult", "ana", kNineLima + kMsPerHour, "b2"));
  // Onto b2: refused. Overlapping itself only: fine.
  CHECK(code_of(h.run(reschedule("t1", "r1", client("c1"), "b1", kNineLima + kMsPerHour))) ==
        RejectionCode::kSlotTaken);
  h.ok(reschedule("t1", "r2", client("c1"), "b1", kNineLima + 10 * kMsPerMinute));
  CHECK(h.booking("t1", "b1").start_ms == kNineLima + 10 * kMsPerMinute);
  h.ok(hold("t1", "h3", client("c3"), "lima", "consult", "ben", kNineLima));
  // To another staff member.
  h.ok(reschedule("t1", "r3", admin(), "b1", kNineLima + 2 * kMsPerHour, "ben"));
  CHECK(h.booking("t1", "b1").staff_id == "ben");
  h.ok(hold("t1", "h4", client("c4"), "lima", "consult", "ana", kNineLima + 10 * kMsPerMinute));
}

TEST_CASE("check-in, complete and no-show follow the lifecycle") {
  Harness h;
  h.standard_clinic();
  v1::PolicySet policy;
  policy.set_hold_ttl_s(600);
  policy.set_free_cancel_window_min(1440);
  policy.set_late_cancel_refund_pct(50);
  policy.set_no_show_grace_min(15);
  policy.set_horizon_days(180);
  policy.set_slot_step_min(15);
  policy.set_prepayment_required(false);
  h.ok(set_policy("t1", "pol", policy));
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  auto confirmed = h.ok(request_payment("t1", "p1", client("c1"), "b1"));
  REQUIRE(confirmed.size() == 2);  // desk payment requested, booking confirmed
  CHECK(confirmed[0].payment_requested().provider() == "desk");
  CHECK(confirmed[1].has_booking_confirmed());
  CHECK(h.booking("t1", "b1").status == BookingStatus::kConfirmed);

  auto complete = booking_step("t1", "c1", staff("ana", "lima"), [](v1::Command& c) {
    c.mutable_complete_booking()->set_booking_id("b1");
  });
  CHECK(code_of(h.run(complete)) == RejectionCode::kInvalidTransition);
  auto no_show = booking_step("t1", "n1", staff("ana", "lima"), [](v1::Command& c) {
    c.mutable_mark_no_show()->set_booking_id("b1");
  });
  CHECK(code_of(h.run(no_show)) == RejectionCode::kInvalidTransition);  // before the start
  h.ok(booking_step("t1", "i1", staff("ana", "lima"),
                    [](v1::Command& c) { c.mutable_check_in()->set_booking_id("b1"); }));
  h.ok(complete);
  CHECK(h.booking("t1", "b1").status == BookingStatus::kCompleted);
  CHECK(h.model().timers.empty());

  // A second booking nobody checks in: the no-show timer is armed at end + grace.
  h.ok(hold("t1", "h2", client("c2"), "lima", "consult", "ben", kNineLima, "b2"));
  h.ok(request_payment("t1", "p2", client("c2"), "b2"));
  REQUIRE(h.model().timers.size() == 1);
  CHECK(h.model().timers.begin()->due_ms == kNineLima + 45 * kMsPerMinute);
  CHECK(h.model().timers.begin()->kind == TimerKind::kNoShow);
  h.set_now(kNineLima + 46 * kMsPerMinute);
  auto system_no_show = command("t1", "timer/no-show/b2", actor(v1::ROLE_SYSTEM, "engine"));
  system_no_show.mutable_mark_no_show()->set_booking_id("b2");
  h.ok(system_no_show);
  CHECK(h.booking("t1", "b2").status == BookingStatus::kNoShow);
}

TEST_CASE("events replay into the same model") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  h.ok(request_payment("t1", "p1", client("c1"), "b1", "pay1"));
  h.ok(payment_succeeded("t1", "w1", "pay1", 10'000, "evt1"));
  h.ok(cancel("t1", "x1", staff("ana", "lima"), "b1"));
  CHECK(to_hex(model_digest(replay(h.log()))) == to_hex(model_digest(h.model())));
}
