// The notifications view's fold: what each event makes due (see notifications_view.h).
#include "notifications_view.h"

#include "local_time.h"

namespace turno::projections::notifications {
namespace {

std::string_view cancelled_by_name(v1::CancelledBy by) {
  switch (by) {
    case v1::CANCELLED_BY_CLIENT:
      return "client";
    case v1::CANCELLED_BY_STAFF:
      return "staff";
    case v1::CANCELLED_BY_ADMIN:
      return "admin";
    case v1::CANCELLED_BY_SYSTEM:
      return "system";
    default:
      return "unknown";
  }
}

// The client knew of the booking (it was more than a hold).
bool client_was_told(BookingStatus state) {
  return state == BookingStatus::kPendingPayment || state == BookingStatus::kConfirmed ||
         state == BookingStatus::kCheckedIn;
}

// The staff member was told of the booking (it was confirmed).
bool staff_was_told(BookingStatus state) {
  return state == BookingStatus::kConfirmed || state == BookingStatus::kCheckedIn;
}

}  // namespace

void NotificationsView::fold(const v1::Envelope& event) {
  availability_.apply(event);
  invoices_.apply(event);
  if (!catalog_.fold(event)) {
    if (const auto change = bookings_.fold(event)) fold_booking(*change, event);
  }
  prune(event.recorded_at_ms());
}

void NotificationsView::fold_booking(const BookingChange& change, const v1::Envelope& event) {
  const BookingRecord& booking = *change.booking;
  const std::string key = tenant_key(booking.tenant_id, booking.id);
  switch (change.kind) {
    case v1::Envelope::kSlotHeld:
      start_seqs_[key] = event.seq();
      break;
    case v1::Envelope::kBookingConfirmed:
      on_confirmed(booking, event);
      break;
    case v1::Envelope::kBookingRescheduled:
      on_rescheduled(change, event);
      break;
    case v1::Envelope::kBookingCancelled:
      on_cancelled(change, event);
      break;
    case v1::Envelope::kRefundIssued:
      on_refund(change, event);
      break;
    case v1::Envelope::kPaymentSucceeded:
      on_payment(change, event);
      break;
    case v1::Envelope::kBookingCompleted:
      on_completed(booking, event);
      break;
    case v1::Envelope::kCheckedIn:
      remove_appointment(key);
      break;
    case v1::Envelope::kNoShowMarked:
    case v1::Envelope::kHoldExpired:
      remove_appointment(key);
      start_seqs_.erase(key);
      break;
    default:
      break;
  }
}

void NotificationsView::on_confirmed(const BookingRecord& booking, const v1::Envelope& event) {
  const std::string key = tenant_key(booking.tenant_id, booking.id);
  if (find_in(appointments_, key) != nullptr) return;  // confirmed twice: nothing new
  add_notice(booking, event, MessageKind::kBookingConfirmed, RecipientRole::kClient,
             booking.start_ms, facts_of(booking));
  add_notice(booking, event, MessageKind::kStaffNewBooking, RecipientRole::kStaff, booking.start_ms,
             facts_of(booking));
  const std::uint64_t* start_seq = find_in(start_seqs_, key);
  add_appointment(Appointment{booking.tenant_id.str(), booking.id,
                              start_seq ? *start_seq : event.seq(), booking.start_ms,
                              event.recorded_at_ms()});
  withdraw_recalls(booking);
}

void NotificationsView::on_rescheduled(const BookingChange& change, const v1::Envelope& event) {
  const BookingRecord& booking = *change.booking;
  const std::string key = tenant_key(booking.tenant_id, booking.id);
  start_seqs_[key] = event.seq();
  if (!client_was_told(booking.state)) return;
  MessageFacts facts = facts_of(booking);
  facts.previous_start_ms = change.previous_start_ms;
  if (change.previous_staff_id != booking.staff_id) {
    facts.previous_staff_name = staff_name(booking.tenant_id, change.previous_staff_id);
  }
  add_notice(booking, event, MessageKind::kBookingRescheduled, RecipientRole::kClient,
             booking.start_ms, facts);
  if (!staff_was_told(booking.state)) return;
  add_notice(booking, event, MessageKind::kStaffBookingMoved, RecipientRole::kStaff,
             booking.start_ms, facts);
  if (change.previous_staff_id != booking.staff_id) {
    MessageFacts previous = facts;
    previous.staff_id = change.previous_staff_id;
    previous.staff_name = facts.previous_staff_name;
    previous.start_ms = change.previous_start_ms;
    previous.end_ms = change.previous_end_ms;
    previous.reason = "moved";
    Message& notice = notices_.emplace_back();
    notice =
        Message{notice_id(event.seq(), MessageKind::kStaffBookingCancelled, RecipientRole::kStaff),
                MessageKind::kStaffBookingCancelled,
                booking.tenant_id.str(),
                booking.site_id.str(),
                booking.id,
                Recipient{RecipientRole::kStaff, change.previous_staff_id.str()},
                event.seq(),
                event.recorded_at_ms(),
                change.previous_start_ms,
                std::move(previous)};
  }
  if (Appointment* appointment = find_in(appointments_, key)) {
    Appointment moved = *appointment;
    moved.start_seq = event.seq();
    moved.start_ms = booking.start_ms;
    remove_appointment(key);
    add_appointment(std::move(moved));
  }
}

void NotificationsView::on_cancelled(const BookingChange& change, const v1::Envelope& event) {
  const BookingRecord& booking = *change.booking;
  const std::string key = tenant_key(booking.tenant_id, booking.id);
  remove_appointment(key);
  start_seqs_.erase(key);
  MessageFacts facts = facts_of(booking);
  facts.cancelled_by = cancelled_by_name(booking.cancelled_by);
  facts.reason = booking.cancel_reason;
  const std::int64_t useful_until = event.recorded_at_ms() + kNoticeUsefulMs;
  if (client_was_told(change.previous_state)) {
    MessageFacts to_client = facts;
    if (booking.cancelled_by == v1::CANCELLED_BY_STAFF) {
      const Result<Alternatives> options = availability_.alternatives(AlternativesRequest{
          booking.tenant_id.str(), booking.id, event.recorded_at_ms(), kAlternativesInMessageMax});
      if (options.is_ok()) {
        for (const Alternative& option : options.value().options) {
          to_client.alternatives.push_back(
              {option.staff_id, option.staff_name, option.start_ms, option.end_ms});
        }
      }
    }
    add_notice(booking, event, MessageKind::kBookingCancelled, RecipientRole::kClient, useful_until,
               std::move(to_client));
  }
  const bool by_this_staff =
      event.actor().role() == v1::ROLE_STAFF && event.actor().staff_id() == booking.staff_id;
  if (staff_was_told(change.previous_state) && !by_this_staff) {
    add_notice(booking, event, MessageKind::kStaffBookingCancelled, RecipientRole::kStaff,
               booking.start_ms, std::move(facts));
  }
}

void NotificationsView::on_refund(const BookingChange& change, const v1::Envelope& event) {
  if (change.refund == nullptr) return;
  const BookingRecord& booking = *change.booking;
  MessageFacts facts = facts_of(booking);
  facts.amount_minor = change.refund->amount_minor;
  facts.currency = event.refund_issued().currency();
  const Result<InvoicePage> newest =
      invoices_.list(InvoiceListRequest{booking.tenant_id.str(), {}, booking.id, {}, 1});
  if (newest.is_ok() && !newest.value().items.empty() &&
      newest.value().items[0].document.refund_id == change.refund->id) {
    facts.document_id = newest.value().items[0].document.id;
  }
  add_notice(booking, event, MessageKind::kRefundIssued, RecipientRole::kClient,
             event.recorded_at_ms() + kNoticeUsefulMs, std::move(facts));
}

void NotificationsView::on_payment(const BookingChange& change, const v1::Envelope& event) {
  if (change.payment == nullptr) return;
  const BookingRecord& booking = *change.booking;
  const Result<InvoicePage> newest =
      invoices_.list(InvoiceListRequest{booking.tenant_id.str(), {}, booking.id, {}, 1});
  if (!newest.is_ok() || newest.value().items.empty()) return;
  const InvoiceDocument& document = newest.value().items[0].document;
  if (document.kind != InvoiceKind::kInvoice || document.payment_id != change.payment->id) return;
  MessageFacts facts = facts_of(booking);
  facts.amount_minor = document.total_minor;
  facts.currency = document.currency;
  facts.document_id = document.id;
  add_notice(booking, event, MessageKind::kInvoiceIssued, RecipientRole::kClient,
             event.recorded_at_ms() + kNoticeUsefulMs, std::move(facts));
}

void NotificationsView::on_completed(const BookingRecord& booking, const v1::Envelope& event) {
  const std::string key = tenant_key(booking.tenant_id, booking.id);
  remove_appointment(key);
  start_seqs_.erase(key);
  const TenantInfo* tenant = catalog_.find_tenant(booking.tenant_id);
  const ServiceInfo* service = tenant ? tenant->find_service(booking.service_id) : nullptr;
  const SiteInfo* site = tenant ? tenant->find_site(booking.site_id) : nullptr;
  if (service == nullptr || service->follow_up_days <= 0 || site == nullptr || !site->zone) return;
  const std::int64_t local_day = to_local(*site->zone, booking.start_ms).days_since_epoch;
  const std::int64_t due_ms =
      to_instant(*site->zone, local_day + service->follow_up_days, kRecallLocalMinute);
  Recall recall{Message{recall_id(event.seq()), MessageKind::kRecall, booking.tenant_id.str(),
                        booking.site_id.str(), booking.id,
                        Recipient{RecipientRole::kClient, booking.client_id.str()}, event.seq(),
                        due_ms, due_ms + kRecallUsefulMs, facts_of(booking)},
                booking.service_id.str(), false};
  index_recall(key, recall);
  recalls_[key] = std::move(recall);
}

void NotificationsView::add_notice(const BookingRecord& booking, const v1::Envelope& event,
                                   MessageKind kind, RecipientRole role,
                                   std::int64_t useful_until_ms, MessageFacts facts) {
  const InternedId recipient = role == RecipientRole::kStaff ? booking.staff_id : booking.client_id;
  notices_.push_back(Message{notice_id(event.seq(), kind, role), kind, booking.tenant_id.str(),
                             booking.site_id.str(), booking.id, Recipient{role, recipient.str()},
                             event.seq(), event.recorded_at_ms(), useful_until_ms,
                             std::move(facts)});
}

MessageFacts NotificationsView::facts_of(const BookingRecord& booking) const {
  MessageFacts facts;
  facts.client_id = booking.client_id;
  facts.patient = booking.patient;
  facts.staff_id = booking.staff_id;
  facts.service_id = booking.service_id;
  facts.start_ms = booking.start_ms;
  facts.end_ms = booking.end_ms;
  facts.amount_minor = booking.price_minor;
  facts.currency = booking.currency;
  const TenantInfo* tenant = catalog_.find_tenant(booking.tenant_id);
  if (tenant == nullptr) return facts;
  facts.tenant_name = tenant->name;
  if (const SiteInfo* site = tenant->find_site(booking.site_id)) {
    facts.site_name = site->name;
    facts.site_address = site->address;
    facts.time_zone = site->time_zone;
  }
  if (const ServiceInfo* service = tenant->find_service(booking.service_id)) {
    facts.service_name = service->name;
  }
  facts.staff_name = staff_name(booking.tenant_id, booking.staff_id);
  return facts;
}

std::string NotificationsView::staff_name(std::string_view tenant_id,
                                          std::string_view staff_id) const {
  const TenantInfo* tenant = catalog_.find_tenant(tenant_id);
  const StaffInfo* staff = tenant ? tenant->find_staff(staff_id) : nullptr;
  return staff ? staff->name : std::string(staff_id);
}

void NotificationsView::add_appointment(Appointment appointment) {
  const std::string key = tenant_key(appointment.tenant_id, appointment.booking_id);
  appointments_by_start_.emplace(appointment.start_ms, key);
  appointments_[key] = std::move(appointment);
}

void NotificationsView::remove_appointment(const std::string& key) {
  const Appointment* appointment = find_in(appointments_, key);
  if (appointment == nullptr) return;
  appointments_by_start_.erase(TimeKey{appointment->start_ms, key});
  appointments_.erase(key);
}

}  // namespace turno::projections::notifications
