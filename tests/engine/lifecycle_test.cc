// The booking lifecycle (engine/log/lifecycle.h) as tables: every status and event, every role and
// command; then decide() checked against the same tables, so the writer cannot drift from them.
#include "lifecycle.h"

#include <doctest/doctest.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "event_kinds.h"
#include "harness.h"

using namespace turno;
using namespace turno::testing;

namespace {

using S = BookingStatus;
using E = BookingEvent;
using Next = std::optional<S>;
constexpr Next kRefused = std::nullopt;

constexpr std::size_t kStatuses = kBookingStatusMax + 1;
constexpr std::array<S, kStatuses> kAllStatuses = {S::kHeld,      S::kPendingPayment, S::kConfirmed,
                                                   S::kCheckedIn, S::kCompleted,      S::kNoShow,
                                                   S::kCancelled, S::kExpired};

struct TransitionRow {
  E event;
  // The status after the event, for a booking in each status of kAllStatuses (in that order).
  std::array<Next, kStatuses> next;
};

// held, pending_payment, confirmed, checked_in, completed, no_show, cancelled, expired
const std::vector<TransitionRow> kTransitions = {
    {E::kSlotHeld,
     {kRefused, kRefused, kRefused, kRefused, kRefused, kRefused, kRefused, kRefused}},
    {E::kPaymentRequested,
     {S::kPendingPayment, kRefused, kRefused, kRefused, kRefused, kRefused, kRefused, kRefused}},
    {E::kDeskPaymentRequested,
     {S::kHeld, kRefused, S::kConfirmed, S::kCheckedIn, S::kCompleted, kRefused, kRefused,
      kRefused}},
    {E::kPaymentSucceeded,
     {S::kHeld, S::kPendingPayment, S::kConfirmed, S::kCheckedIn, S::kCompleted, S::kNoShow,
      S::kCancelled, S::kExpired}},
    {E::kPaymentFailed,
     {S::kHeld, S::kHeld, S::kConfirmed, S::kCheckedIn, S::kCompleted, S::kNoShow, S::kCancelled,
      S::kExpired}},
    {E::kBookingConfirmed,
     {S::kConfirmed, S::kConfirmed, kRefused, kRefused, kRefused, kRefused, kRefused,
      S::kConfirmed}},
    {E::kBookingRescheduled,
     {S::kHeld, S::kPendingPayment, S::kConfirmed, kRefused, kRefused, kRefused, kRefused,
      kRefused}},
    {E::kCheckedIn,
     {kRefused, kRefused, S::kCheckedIn, kRefused, kRefused, kRefused, kRefused, kRefused}},
    {E::kBookingCompleted,
     {kRefused, kRefused, kRefused, S::kCompleted, kRefused, kRefused, kRefused, kRefused}},
    {E::kNoShowMarked,
     {kRefused, kRefused, S::kNoShow, kRefused, kRefused, kRefused, kRefused, kRefused}},
    {E::kBookingCancelled,
     {S::kCancelled, S::kCancelled, S::kCancelled, kRefused, kRefused, kRefused, kRefused,
      kRefused}},
    {E::kHoldExpired,
     {S::kExpired, S::kExpired, kRefused, kRefused, kRefused, kRefused, kRefused, kRefused}},
    {E::kRefundIssued,
     {S::kHeld, S::kPendingPayment, S::kConfirmed, S::kCheckedIn, S::kCompleted, S::kNoShow,
      S::kCancelled, S::kExpired}},
};

std::string name_of(const Next& next) {
  return next ? std::string(to_string(*next)) : std::string("refused");
}

constexpr std::array<v1::Role, 7> kAllRoles = {
    v1::ROLE_UNSPECIFIED, v1::ROLE_CLIENT,   v1::ROLE_STAFF, v1::ROLE_ADMIN,
    v1::ROLE_AUDITOR,     v1::ROLE_PLATFORM, v1::ROLE_SYSTEM};

}  // namespace

TEST_CASE("every event in every status moves the booking as the lifecycle table says") {
  REQUIRE(kTransitions.size() == kBookingEventMax + 1u);
  for (std::size_t row = 0; row < kTransitions.size(); ++row) {
    const TransitionRow& expected = kTransitions[row];
    CHECK(static_cast<std::size_t>(expected.event) == row);  // every event, once, in order
    for (std::size_t column = 0; column < kStatuses; ++column) {
      const S from = kAllStatuses[column];
      const Next next = next_status(from, expected.event);
      INFO(to_string(expected.event), " in ", to_string(from));
      CHECK(name_of(next) == name_of(expected.next[column]));
      CHECK(allows(from, expected.event) == expected.next[column].has_value());
    }
  }
}

TEST_CASE("time is held by held, pending, confirmed and checked-in bookings only") {
  const std::array<bool, kStatuses> holds = {true, true, true, true, false, false, false, false};
  const std::array<bool, kStatuses> terminal = {false, false, false, false,
                                                true,  true,  true,  false};
  for (std::size_t column = 0; column < kStatuses; ++column) {
    INFO(to_string(kAllStatuses[column]));
    CHECK(holds_time(kAllStatuses[column]) == holds[column]);
    CHECK(is_terminal(kAllStatuses[column]) == terminal[column]);
  }
  // Every way out of a status that holds time into one that does not is a release; the only
  // way back in is a late payment confirming an expired hold.
  for (const TransitionRow& row : kTransitions) {
    for (const S from : kAllStatuses) {
      const Next next = next_status(from, row.event);
      if (!next || holds_time(from) || !holds_time(*next)) continue;
      INFO(to_string(row.event), " in ", to_string(from));
      CHECK(from == S::kExpired);
      CHECK(row.event == E::kBookingConfirmed);
    }
  }
}

TEST_CASE("every event type is either a catalog event or a lifecycle event with its booking") {
  const google::protobuf::OneofDescriptor* events =
      v1::Envelope::descriptor()->FindOneofByName("event");
  REQUIRE(events != nullptr);
  for (int i = 0; i < events->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = events->field(i);
    v1::Envelope envelope;
    google::protobuf::Message* body = envelope.GetReflection()->MutableMessage(&envelope, field);
    if (const auto* id = body->GetDescriptor()->FindFieldByName("booking_id")) {
      body->GetReflection()->SetString(body, id, "b-" + field->name());
    }
    INFO(field->name());
    const bool catalog = is_catalog_event(envelope);
    const std::optional<E> lifecycle = booking_event_of(envelope);
    CHECK(catalog != lifecycle.has_value());
    CHECK(booking_id_of(envelope) == (catalog ? "" : "b-" + field->name()));
  }
  CHECK_FALSE(booking_event_of(v1::Envelope{}).has_value());
  CHECK_FALSE(is_catalog_event(v1::Envelope{}));
}

TEST_CASE("a payment requested at the desk awaits no webhook") {
  v1::Envelope event;
  event.mutable_payment_requested()->set_provider(std::string(kSandboxProvider));
  CHECK(booking_event_of(event) == E::kPaymentRequested);
  CHECK(next_status(S::kHeld, *booking_event_of(event)) == S::kPendingPayment);
  event.mutable_payment_requested()->set_provider(std::string(kDeskProvider));
  CHECK(booking_event_of(event) == E::kDeskPaymentRequested);
  CHECK(next_status(S::kHeld, *booking_event_of(event)) == S::kHeld);
}

// The rule the engine's commands and the API's reads share. Before it was one function, the
// engine let every role but client and staff see every booking (auditor, platform, a missing
// role) while the API let only admins: the auditor, platform and unspecified rows below fail
// against the first, the system row against the second.
TEST_CASE("who may see a booking, for every role") {
  const BookingParties booking{"c1", "lima"};
  struct Row {
    v1::Role role;
    bool own_client_own_site;  // the requester is c1 (or works at lima)
    bool other_client_other_site;
  };
  const std::vector<Row> rows = {
      {v1::ROLE_UNSPECIFIED, false, false}, {v1::ROLE_CLIENT, true, false},
      {v1::ROLE_STAFF, true, false},        {v1::ROLE_ADMIN, true, true},
      {v1::ROLE_AUDITOR, false, false},     {v1::ROLE_PLATFORM, false, false},
      {v1::ROLE_SYSTEM, true, true},
  };
  REQUIRE(rows.size() == kAllRoles.size());
  for (const Row& row : rows) {
    INFO(v1::Role_Name(row.role));
    CHECK(may_see(Requester{row.role, "c1", "lima"}, booking) == row.own_client_own_site);
    CHECK(may_see(Requester{row.role, "c2", "cusco"}, booking) == row.other_client_other_site);
    // A client is known by id, staff by site: the other field never grants anything.
    const bool by_id = row.role != v1::ROLE_STAFF && row.own_client_own_site;
    const bool by_site = row.role != v1::ROLE_CLIENT && row.own_client_own_site;
    CHECK(may_see(Requester{row.role, "c1", "cusco"}, booking) ==
          (by_id || row.other_client_other_site));
    CHECK(may_see(Requester{row.role, "c2", "lima"}, booking) ==
          (by_site || row.other_client_other_site));
  }
  // An empty id or site matches nothing, not a booking with an empty field.
  CHECK_FALSE(may_see(Requester{v1::ROLE_CLIENT, "", ""}, BookingParties{"", ""}));
  CHECK_FALSE(may_see(Requester{v1::ROLE_STAFF, "", ""}, BookingParties{"", ""}));
  CHECK(requester_of(staff("ana", "lima")).site_id == "lima");
  CHECK(requester_of(client("c1")).id == "c1");
}

TEST_CASE("who may ask for each booking command, for every role") {
  using C = v1::Command;
  struct Row {
    C::KindCase command;
    // unspecified, client, staff, admin, auditor, platform, system
    std::array<bool, 7> allowed;
  };
  const std::vector<Row> rows = {
      {C::kHoldSlot, {false, true, true, true, false, false, false}},
      {C::kRequestPayment, {false, true, true, true, false, false, false}},
      {C::kRecordPaymentSucceeded, {false, false, false, false, false, true, true}},
      {C::kRecordPaymentFailed, {false, false, false, false, false, true, true}},
      {C::kRecordDeskPayment, {false, false, true, true, false, false, false}},
      {C::kConfirmBooking, {false, false, true, true, false, false, false}},
      {C::kRescheduleBooking, {false, true, true, true, false, false, false}},
      {C::kCancelBooking, {false, true, true, true, false, false, false}},
      {C::kIssueRefund, {false, false, false, true, false, false, false}},
      {C::kCheckIn, {false, false, true, true, false, false, false}},
      {C::kCompleteBooking, {false, false, true, true, false, false, false}},
      {C::kMarkNoShow, {false, false, true, true, false, false, true}},
      {C::kExpireHold, {false, false, false, false, false, false, true}},
      // Not booking commands: their roles are the catalog's.
      {C::kRegisterTenant, {false, false, false, false, false, false, false}},
      {C::kOpenSite, {false, false, false, false, false, false, false}},
  };
  for (const Row& row : rows) {
    for (std::size_t r = 0; r < kAllRoles.size(); ++r) {
      INFO(C::descriptor()->FindFieldByNumber(row.command)->name(), " by ",
           v1::Role_Name(kAllRoles[r]));
      CHECK(may_request(kAllRoles[r], row.command) == row.allowed[r]);
    }
  }
}

namespace {

constexpr std::int64_t kNineLima = kMonday2026_03_02 + 14 * kMsPerHour;  // 09:00 -05:00

v1::Actor engine_actor() {
  return actor(v1::ROLE_SYSTEM, "engine");
}

template <typename Setter>
v1::Command step_on(const std::string& id, const v1::Actor& by, Setter set) {
  return booking_step("t1", id, by, set);
}

v1::Command check_in_b1(const std::string& id) {
  return step_on(id, admin(), [](v1::Command& c) { c.mutable_check_in()->set_booking_id("b1"); });
}
v1::Command complete_b1(const std::string& id) {
  return step_on(id, admin(),
                 [](v1::Command& c) { c.mutable_complete_booking()->set_booking_id("b1"); });
}
v1::Command no_show_b1(const std::string& id) {
  return step_on(id, admin(),
                 [](v1::Command& c) { c.mutable_mark_no_show()->set_booking_id("b1"); });
}
v1::Command expire_b1(const std::string& id) {
  return step_on(id, engine_actor(),
                 [](v1::Command& c) { c.mutable_expire_hold()->set_booking_id("b1"); });
}

// A clinic with booking b1 of client c1 (ana, Monday 09:00 Lima) brought to `status` by
// commands, the clock then an hour past its start (past its hold's expiry too).
void bring_to(Harness& h, S status) {
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  const bool expire = status == S::kExpired;
  const bool pay = status != S::kHeld && status != S::kCancelled && !expire;
  if (pay) h.ok(request_payment("t1", "rp", client("c1"), "b1", "p1"));
  if (pay && status != S::kPendingPayment) h.ok(payment_succeeded("t1", "ps", "p1", 10'000, "e"));
  h.set_now(kNineLima + kMsPerHour);
  if (status == S::kCheckedIn || status == S::kCompleted) h.ok(check_in_b1("ci"));
  if (status == S::kCompleted) h.ok(complete_b1("co"));
  if (status == S::kNoShow) h.ok(no_show_b1("ns"));
  if (status == S::kCancelled) h.ok(cancel("t1", "ca", client("c1"), "b1"));
  if (expire) h.ok(expire_b1("ex"));
  REQUIRE(h.booking("t1", "b1").status == status);
}

}  // namespace

TEST_CASE("decide accepts a lifecycle command exactly where the table allows its event") {
  struct Step {
    E event;
    v1::Command command;
  };
  const std::vector<Step> steps = {
      {E::kBookingCancelled, cancel("t1", "cmd", admin(), "b1")},
      {E::kBookingRescheduled, reschedule("t1", "cmd", admin(), "b1", kNineLima + kMsPerDay)},
      {E::kCheckedIn, check_in_b1("cmd")},
      {E::kBookingCompleted, complete_b1("cmd")},
      {E::kNoShowMarked, no_show_b1("cmd")},
      {E::kHoldExpired, expire_b1("cmd")},
  };
  for (const Step& step : steps) {
    for (const S status : kAllStatuses) {
      INFO(to_string(step.event), " in ", to_string(status));
      Harness h;
      bring_to(h, status);
      const Decision decision = h.run(step.command);
      CHECK(decision.accepted() == allows(status, step.event));
      if (!decision.accepted()) {
        CHECK(decision.rejection->code == RejectionCode::kInvalidTransition);
      } else {
        // evolve() moved the write model as the table says.
        CHECK(name_of(h.booking("t1", "b1").status) == name_of(next_status(status, step.event)));
      }
    }
  }
}

TEST_CASE("decide hides a booking from a requester who may not see it") {
  struct Row {
    v1::Actor by;
    bool sees;
  };
  const std::vector<Row> rows = {
      {client("c1"), true},           {client("c2"), false}, {staff("ana", "lima"), true},
      {staff("eva", "cusco"), false}, {admin(), true},       {engine_actor(), true},
  };
  for (const Row& row : rows) {
    INFO(v1::Role_Name(row.by.role()), " ", row.by.id());
    CHECK(may_see(requester_of(row.by), BookingParties{"c1", "lima"}) == row.sees);
    Harness h;
    bring_to(h, S::kHeld);
    // The engine expires holds; people cancel them. Either needs the booking in sight.
    const v1::Command command =
        row.by.role() == v1::ROLE_SYSTEM ? expire_b1("cmd") : cancel("t1", "cmd", row.by, "b1");
    const Decision decision = h.run(command);
    CHECK(decision.accepted() == row.sees);
    if (!row.sees) CHECK(decision.rejection->code == RejectionCode::kUnknownId);
  }
  // Roles that may not ask at all are refused before the booking is looked up.
  for (const v1::Role role : {v1::ROLE_AUDITOR, v1::ROLE_PLATFORM, v1::ROLE_UNSPECIFIED}) {
    INFO(v1::Role_Name(role));
    Harness h;
    bring_to(h, S::kHeld);
    const Decision decision = h.run(cancel("t1", "cmd", actor(role, "someone"), "b1"));
    REQUIRE_FALSE(decision.accepted());
    CHECK(decision.rejection->code == RejectionCode::kForbidden);
  }
}
