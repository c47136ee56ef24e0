// The notifications view decides, from events alone, which messages exist and when.
#include <doctest/doctest.h>

#include <algorithm>

#include "notifications_view.h"
#include "notify_support.h"

namespace turno::testing {
namespace {

using notify::Message;
using notify::MessageKind;
using notify::NotificationsView;
using notify::RecipientRole;

// hh:mm in Lima (UTC-5 all year) on Monday 2026-03-02 + `day` days.
constexpr std::int64_t lima(std::int64_t day, std::int64_t hour, std::int64_t minute = 0) {
  return kMonday2026_03_02 + day * kMsPerDay + (hour + 5) * kMsPerHour + minute * kMsPerMinute;
}

void setup(Harness& h, std::int32_t follow_up_days = 0) {
  for (const auto& command : clinic_commands("America/Lima", follow_up_days)) h.ok(command);
}

void book(Harness& h, const std::string& booking, const std::string& client_id,
          const std::string& staff_id, std::int64_t start_ms) {
  for (const auto& command : paid_booking(booking, client_id, staff_id, start_ms)) h.ok(command);
}

std::unique_ptr<NotificationsView> fold(const Harness& h) {
  auto view = std::make_unique<NotificationsView>();
  for (const auto& event : h.log()) view->apply(event);
  return view;
}

std::vector<Message> of_kind(const std::vector<Message>& messages, MessageKind kind) {
  std::vector<Message> out;
  std::copy_if(messages.begin(), messages.end(), std::back_inserter(out),
               [&](const Message& m) { return m.kind == kind; });
  return out;
}

std::uint64_t seq_of(const Harness& h, v1::Envelope::EventCase kind, const std::string& booking) {
  for (const auto& event : h.log()) {
    if (event.event_case() == kind && event.stream().ends_with("/" + booking)) return event.seq();
  }
  return 0;
}

}  // namespace

TEST_CASE("a paid booking tells the client and the staff member and mails the invoice") {
  Harness h;
  setup(h);
  book(h, "b1", "c1", "ana", lima(0, 10));
  const auto view = fold(h);
  const auto notices = view->notices_after(0, 100);

  const auto confirmed = of_kind(notices, MessageKind::kBookingConfirmed);
  REQUIRE(confirmed.size() == 1);
  CHECK(confirmed[0].recipient.role == RecipientRole::kClient);
  CHECK(confirmed[0].recipient.id == "c1");
  CHECK(confirmed[0].id == "n" + std::to_string(confirmed[0].cause_seq) + "-booking_confirmed-c");
  CHECK(confirmed[0].useful_until_ms == lima(0, 10));
  CHECK(confirmed[0].facts.staff_name == "Dr. ana");
  CHECK(confirmed[0].facts.time_zone == "America/Lima");

  const auto to_staff = of_kind(notices, MessageKind::kStaffNewBooking);
  REQUIRE(to_staff.size() == 1);
  CHECK(to_staff[0].recipient.role == RecipientRole::kStaff);
  CHECK(to_staff[0].recipient.id == "ana");

  const auto invoice = of_kind(notices, MessageKind::kInvoiceIssued);
  REQUIRE(invoice.size() == 1);
  CHECK(invoice[0].facts.document_id == "F001-00000001");
  CHECK(invoice[0].facts.amount_minor == 10'000);
  CHECK(view->document("t1", "F001-00000001").is_ok());

  const auto appointments = view->appointments_starting(lima(0, 10), lima(0, 10) + 1, 10);
  REQUIRE(appointments.size() == 1);
  CHECK(appointments[0].start_seq == seq_of(h, v1::Envelope::kSlotHeld, "b1"));
}

TEST_CASE("a staff cancellation offers the client other staff members at that time") {
  Harness h;
  setup(h);
  book(h, "b1", "c1", "ana", lima(0, 10));
  h.ok(cancel("t1", "x-b1", staff("ana", "lima"), "b1"));
  const auto view = fold(h);
  const auto notices = view->notices_after(0, 100);

  const auto cancelled = of_kind(notices, MessageKind::kBookingCancelled);
  REQUIRE(cancelled.size() == 1);
  CHECK(cancelled[0].facts.cancelled_by == "staff");
  REQUIRE_FALSE(cancelled[0].facts.alternatives.empty());
  CHECK(cancelled[0].facts.alternatives[0].staff_id == "ben");
  CHECK(cancelled[0].facts.alternatives[0].start_ms == lima(0, 10));
  // Ana cancelled it herself: she is not told.
  CHECK(of_kind(notices, MessageKind::kStaffBookingCancelled).empty());
  // A staff cancellation refunds in full, with a credit note.
  const auto refund = of_kind(notices, MessageKind::kRefundIssued);
  REQUIRE(refund.size() == 1);
  CHECK(refund[0].facts.amount_minor == 10'000);
  CHECK(refund[0].facts.document_id == "F001-NC-00000001");
  CHECK(view->appointments_starting(0, lima(10, 0), 10).empty());
}

TEST_CASE("a client cancellation tells the staff member; the client gets no alternatives") {
  Harness h;
  setup(h);
  book(h, "b1", "c1", "ana", lima(0, 10));
  h.ok(cancel("t1", "x-b1", client("c1"), "b1"));
  const auto notices = fold(h)->notices_after(0, 100);
  const auto cancelled = of_kind(notices, MessageKind::kBookingCancelled);
  REQUIRE(cancelled.size() == 1);
  CHECK(cancelled[0].facts.cancelled_by == "client");
  CHECK(cancelled[0].facts.alternatives.empty());
  const auto to_staff = of_kind(notices, MessageKind::kStaffBookingCancelled);
  REQUIRE(to_staff.size() == 1);
  CHECK(to_staff[0].recipient.id == "ana");
}

TEST_CASE("a reschedule gives the appointment a new start seq; old reminders are stale") {
  Harness h;
  setup(h);
  book(h, "b1", "c1", "ana", lima(0, 10));
  auto before = fold(h)->appointments_starting(0, lima(10, 0), 10);
  REQUIRE(before.size() == 1);
  h.ok(reschedule("t1", "move-b1", client("c1"), "b1", lima(0, 11), "ben"));
  const auto view = fold(h);
  const auto notices = view->notices_after(0, 100);

  const auto moved = of_kind(notices, MessageKind::kBookingRescheduled);
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].facts.previous_start_ms == lima(0, 10));
  CHECK(moved[0].facts.start_ms == lima(0, 11));
  const auto to_ben = of_kind(notices, MessageKind::kStaffBookingMoved);
  REQUIRE(to_ben.size() == 1);
  CHECK(to_ben[0].recipient.id == "ben");
  const auto to_ana = of_kind(notices, MessageKind::kStaffBookingCancelled);
  REQUIRE(to_ana.size() == 1);
  CHECK(to_ana[0].recipient.id == "ana");

  const auto after = view->appointments_starting(0, lima(10, 0), 10);
  REQUIRE(after.size() == 1);
  CHECK(after[0].start_seq == seq_of(h, v1::Envelope::kBookingRescheduled, "b1"));
  Message stale = before[0].base;
  stale.id = notify::reminder_id(before[0].start_seq, 120);
  const notify::Validity validity = view->validate(stale);
  CHECK_FALSE(validity.valid);
  CHECK(validity.reason == "booking moved");
  Message fresh = after[0].base;
  fresh.id = notify::reminder_id(after[0].start_seq, 120);
  CHECK(view->validate(fresh).valid);
}

TEST_CASE("a cancelled booking's reminders are invalid") {
  Harness h;
  setup(h);
  book(h, "b1", "c1", "ana", lima(0, 10));
  Message reminder = fold(h)->appointments_starting(0, lima(10, 0), 10).at(0).base;
  h.ok(cancel("t1", "x-b1", client("c1"), "b1"));
  const notify::Validity validity = fold(h)->validate(reminder);
  CHECK_FALSE(validity.valid);
  CHECK(validity.reason == "booking cancelled");
}

TEST_CASE("a completed service with a follow-up is recalled unless booked again") {
  Harness h;
  setup(h, /*follow_up_days=*/30);
  book(h, "b1", "c1", "ana", lima(0, 10));
  h.set_now(lima(0, 10));
  h.ok(check_in("b1"));
  h.ok(complete("b1"));
  auto recalls = fold(h)->recalls_due(0, lima(60, 0), 10);
  REQUIRE(recalls.size() == 1);
  CHECK(recalls[0].kind == MessageKind::kRecall);
  CHECK(recalls[0].recipient.id == "c1");
  // 10:00 at the site, 30 local days after the appointment's date.
  CHECK(recalls[0].due_at_ms == lima(30, 10));
  CHECK(fold(h)->validate(recalls[0]).valid);

  book(h, "b2", "c1", "ana", lima(20, 10));
  const auto view = fold(h);
  CHECK(view->recalls_due(0, lima(60, 0), 10).empty());
  CHECK(view->validate(recalls[0]).reason == "client booked the service again");
}

TEST_CASE("the view's state round-trips, and a rebuild decides the same messages") {
  Harness h;
  setup(h, 30);
  book(h, "b1", "c1", "ana", lima(0, 10));
  book(h, "b2", "c2", "ben", lima(0, 10));
  h.ok(reschedule("t1", "move-b2", client("c2"), "b2", lima(1, 12)));
  h.ok(cancel("t1", "x-b1", staff("ana", "lima"), "b1"));
  const auto view = fold(h);
  NotificationsView fresh;
  REQUIRE(fresh.decode(view->encode()).is_ok());
  CHECK(fresh.encode() == view->encode());
  CHECK(fresh.digest() == fold(h)->digest());
  std::vector<std::string> ids, rebuilt_ids;
  for (const auto& m : view->notices_after(0, 100)) ids.push_back(m.id);
  for (const auto& m : fresh.notices_after(0, 100)) rebuilt_ids.push_back(m.id);
  CHECK(ids == rebuilt_ids);
  CHECK(ids.size() >= 8);
  // A damaged state is refused, not half-loaded.
  std::string bytes = view->encode();
  bytes.resize(bytes.size() - 3);
  NotificationsView damaged;
  CHECK_FALSE(damaged.decode(bytes).is_ok());
}

}  // namespace turno::testing
