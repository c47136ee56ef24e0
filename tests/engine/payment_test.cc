// Payments, cancellations and refunds on the pure core.
#include <doctest/doctest.h>

#include "harness.h"

using namespace turno;
using namespace turno::testing;

namespace {

constexpr std::int64_t kNineLima = kMonday2026_03_02 + 14 * kMsPerHour;

RejectionCode code_of(const Decision& decision) {
  REQUIRE_FALSE(decision.accepted());
  return decision.rejection->code;
}

// A paid, confirmed booking "b1" of client c1 with ana at 09:00, price 100.00.
void paid_booking(Harness& h) {
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  auto requested = h.ok(request_payment("t1", "p1", client("c1"), "b1", "pay1"));
  REQUIRE(requested.size() == 1);
  CHECK(requested[0].payment_requested().amount_minor() == 10'000);
  CHECK(requested[0].payment_requested().platform_fee_minor() == 300);  // 3.00 %
  CHECK(h.booking("t1", "b1").status == BookingStatus::kPendingPayment);
  auto paid = h.ok(payment_succeeded("t1", "w1", "pay1", 10'000, "evt_1"));
  REQUIRE(paid.size() == 2);
  CHECK(paid[0].has_payment_succeeded());
  CHECK(paid[1].booking_confirmed().payment_id() == "pay1");
  CHECK(h.booking("t1", "b1").status == BookingStatus::kConfirmed);
}

std::int64_t refunded(const std::vector<v1::Envelope>& events) {
  std::int64_t total = 0;
  for (const auto& event : events) {
    if (event.has_refund_issued()) total += event.refund_issued().amount_minor();
  }
  return total;
}

}  // namespace

TEST_CASE("only the payment webhook confirms a prepaid booking, for the amount due") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  h.ok(request_payment("t1", "p1", client("c1"), "b1", "pay1"));
  auto confirm = booking_step("t1", "c1", admin(), [](v1::Command& c) {
    c.mutable_confirm_booking()->set_booking_id("b1");
  });
  CHECK(code_of(h.run(confirm)) == RejectionCode::kInvalidTransition);
  CHECK(code_of(h.run(payment_succeeded("t1", "w0", "pay1", 9'999, "evt_0"))) ==
        RejectionCode::kAmountMismatch);
  v1::Command by_admin = payment_succeeded("t1", "w1", "pay1", 10'000, "evt_1");
  *by_admin.mutable_actor() = admin();
  CHECK(code_of(h.run(by_admin)) == RejectionCode::kForbidden);
  h.ok(payment_succeeded("t1", "w2", "pay1", 10'000, "evt_1"));
  CHECK(h.booking("t1", "b1").status == BookingStatus::kConfirmed);
}

TEST_CASE("a repeated provider event is accepted and changes nothing") {
  Harness h;
  paid_booking(h);
  const auto before = model_digest(h.model());
  Decision again = h.run(payment_succeeded("t1", "w-retry", "pay1", 10'000, "evt_1"));
  CHECK(again.accepted());
  CHECK(again.events.empty());
  CHECK(model_digest(h.model()) == before);
}

TEST_CASE("a failed payment keeps the hold so the client can pay again") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  h.ok(request_payment("t1", "p1", client("c1"), "b1", "pay1"));
  h.ok(payment_failed("t1", "w1", "pay1", "evt_f1"));
  CHECK(h.booking("t1", "b1").status == BookingStatus::kHeld);
  h.ok(request_payment("t1", "p2", client("c1"), "b1", "pay2"));
  h.ok(payment_succeeded("t1", "w2", "pay2", 10'000, "evt_s2"));
  CHECK(h.booking("t1", "b1").status == BookingStatus::kConfirmed);
  CHECK(code_of(h.run(payment_failed("t1", "w3", "pay2", "evt_f3"))) ==
        RejectionCode::kInvalidTransition);
}

TEST_CASE("cancellation refunds follow the policy") {
  Harness h;
  paid_booking(h);
  SUBCASE("client, at least the window before: full refund") {
    auto events = h.ok(cancel("t1", "x", client("c1"), "b1"));
    CHECK(events[0].booking_cancelled().by() == v1::CANCELLED_BY_CLIENT);
    CHECK(refunded(events) == 10'000);
  }
  SUBCASE("client, late: the policy's share") {
    h.set_now(kNineLima - 2 * kMsPerHour);
    auto events = h.ok(cancel("t1", "x", client("c1"), "b1"));
    CHECK(events[0].booking_cancelled().minutes_before_start() == 120);
    CHECK(events[0].booking_cancelled().refund_due_minor() == 5'000);
    CHECK(refunded(events) == 5'000);
  }
  SUBCASE("staff, even late: full refund") {
    h.set_now(kNineLima - 10 * kMsPerMinute);
    auto events = h.ok(cancel("t1", "x", staff("ana", "lima"), "b1"));
    CHECK(events[0].booking_cancelled().by() == v1::CANCELLED_BY_STAFF);
    CHECK(refunded(events) == 10'000);
  }
  CHECK(h.booking("t1", "b1").status == BookingStatus::kCancelled);
  // The slot is free again; a second cancel is an invalid transition.
  h.ok(hold("t1", "h9", client("c9"), "lima", "consult", "ana", kNineLima));
  CHECK(code_of(h.run(cancel("t1", "x2", admin(), "b1"))) == RejectionCode::kInvalidTransition);
}

TEST_CASE("refunds never exceed what was paid") {
  Harness h;
  paid_booking(h);
  CHECK(code_of(h.run(refund("t1", "r0", "b1", 10'001))) == RejectionCode::kRefundExceedsPaid);
  CHECK(refunded(h.ok(refund("t1", "r1", "b1", 4'000))) == 4'000);
  CHECK(code_of(h.run(refund("t1", "r2", "b1", 6'001))) == RejectionCode::kRefundExceedsPaid);
  CHECK(refunded(h.ok(refund("t1", "r3", "b1", 0))) == 6'000);  // 0: the rest
  CHECK(code_of(h.run(refund("t1", "r4", "b1", 0))) == RejectionCode::kRefundExceedsPaid);
  // A late client cancel now refunds nothing more.
  auto events = h.ok(cancel("t1", "x", client("c1"), "b1"));
  CHECK(refunded(events) == 0);
  v1::Command by_staff = refund("t1", "r5", "b1", 1);
  *by_staff.mutable_actor() = staff("ana", "lima");
  CHECK(code_of(h.run(by_staff)) == RejectionCode::kForbidden);
}

TEST_CASE("a payment after the hold expired confirms if the slot is still free") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  h.ok(request_payment("t1", "p1", client("c1"), "b1", "pay1"));
  h.advance(601 * kMsPerSecond);
  auto expire = command("t1", "timer/expire/b1", actor(v1::ROLE_SYSTEM, "engine"));
  expire.mutable_expire_hold()->set_booking_id("b1");
  h.ok(expire);
  auto late = h.ok(payment_succeeded("t1", "w1", "pay1", 10'000, "evt_late"));
  REQUIRE(late.size() == 2);
  CHECK(late[1].has_booking_confirmed());
  CHECK(h.booking("t1", "b1").status == BookingStatus::kConfirmed);
  CHECK(code_of(h.run(hold("t1", "h2", client("c2"), "lima", "consult", "ana", kNineLima))) ==
        RejectionCode::kSlotTaken);
}

TEST_CASE("a payment after the hold expired and the slot was taken is refunded in full") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  h.ok(request_payment("t1", "p1", client("c1"), "b1", "pay1"));
  h.advance(601 * kMsPerSecond);
  auto expire = command("t1", "timer/expire/b1", actor(v1::ROLE_SYSTEM, "engine"));
  expire.mutable_expire_hold()->set_booking_id("b1");
  h.ok(expire);
  h.ok(hold("t1", "h2", client("c2"), "lima", "consult", "ana", kNineLima, "b2"));
  auto late = h.ok(payment_succeeded("t1", "w1", "pay1", 10'000, "evt_late"));
  REQUIRE(late.size() == 2);
  CHECK(late[1].refund_issued().reason() == v1::REFUND_REASON_LATE_PAYMENT_SLOT_TAKEN);
  CHECK(late[1].refund_issued().amount_minor() == 10'000);
  CHECK(h.booking("t1", "b1").status == BookingStatus::kExpired);
  CHECK(h.booking("t1", "b1").refunded_minor == 10'000);
}

TEST_CASE("without prepayment, bookings confirm at once and staff record desk payments") {
  Harness h;
  h.standard_clinic();
  v1::PolicySet policy;
  policy.set_hold_ttl_s(600);
  policy.set_free_cancel_window_min(60);
  policy.set_late_cancel_refund_pct(0);
  policy.set_horizon_days(90);
  policy.set_slot_step_min(15);
  policy.set_prepayment_required(false);
  h.ok(set_policy("t1", "pol", policy));
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  h.ok(request_payment("t1", "p1", client("c1"), "b1"));
  CHECK(h.booking("t1", "b1").status == BookingStatus::kConfirmed);
  auto desk = [](std::int64_t amount, std::string receipt) {
    return booking_step("t1", "d-" + receipt, staff("ana", "lima"), [=](v1::Command& c) {
      c.mutable_record_desk_payment()->set_booking_id("b1");
      c.mutable_record_desk_payment()->set_amount_minor(amount);
      c.mutable_record_desk_payment()->set_receipt_id(receipt);
    });
  };
  CHECK(code_of(h.run(desk(5'000, "r0"))) == RejectionCode::kAmountMismatch);
  auto paid = h.ok(desk(10'000, "r1"));
  REQUIRE(paid.size() == 2);
  CHECK(paid[0].payment_requested().provider() == "desk");
  CHECK(paid[1].payment_succeeded().amount_minor() == 10'000);
  CHECK(h.booking("t1", "b1").paid_minor == 10'000);
  CHECK(h.run(desk(10'000, "r1")).events.empty());  // same receipt again: nothing new
}
