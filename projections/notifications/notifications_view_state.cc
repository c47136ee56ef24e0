// The notifications view's queries, pruning and byte format.
#include "notifications_view.h"

namespace turno::projections::notifications {
namespace {

std::string subject_key(std::string_view tenant_id, const MessageFacts& facts) {
  std::string key = tenant_key(tenant_id, facts.client_id);
  key.push_back('\0');
  key += facts.patient;
  key.push_back('\0');
  key += facts.service_id;
  return key;
}

std::string_view gone_reason(BookingStatus state) {
  switch (state) {
    case BookingStatus::kCancelled:
      return "booking cancelled";
    case BookingStatus::kCheckedIn:
    case BookingStatus::kCompleted:
      return "appointment already attended";
    case BookingStatus::kNoShow:
      return "booking marked no-show";
    case BookingStatus::kExpired:
      return "hold expired";
    default:
      return "booking no longer confirmed";
  }
}

}  // namespace

std::vector<Message> NotificationsView::notices_after(std::uint64_t after, std::size_t max) const {
  auto first =
      std::upper_bound(notices_.begin(), notices_.end(), after,
                       [](std::uint64_t seq, const Message& m) { return seq < m.cause_seq; });
  std::vector<Message> out;
  for (auto it = first; it != notices_.end() && out.size() < max; ++it) out.push_back(*it);
  return out;
}

std::vector<AppointmentPlan> NotificationsView::appointments_starting(std::int64_t from_ms,
                                                                      std::int64_t to_ms,
                                                                      std::size_t max) const {
  std::vector<AppointmentPlan> out;
  for (auto it = appointments_by_start_.lower_bound(TimeKey{from_ms, {}});
       it != appointments_by_start_.end() && it->first < to_ms && out.size() < max; ++it) {
    const Appointment& appointment = appointments_.find(it->second)->second;
    const BookingRecord* booking = bookings_.find(appointment.tenant_id, appointment.booking_id);
    if (booking == nullptr) continue;
    AppointmentPlan plan;
    plan.base = Message{{},
                        MessageKind::kReminder,
                        booking->tenant_id.str(),
                        booking->site_id.str(),
                        booking->id,
                        Recipient{RecipientRole::kClient, booking->client_id.str()},
                        appointment.start_seq,
                        0,
                        appointment.start_ms,
                        facts_of(*booking)};
    plan.confirmed_at_ms = appointment.confirmed_at_ms;
    plan.start_seq = appointment.start_seq;
    out.push_back(std::move(plan));
  }
  return out;
}

std::vector<Message> NotificationsView::recalls_due(std::int64_t from_ms, std::int64_t to_ms,
                                                    std::size_t max) const {
  std::vector<Message> out;
  for (auto it = recalls_by_due_.lower_bound(TimeKey{from_ms, {}});
       it != recalls_by_due_.end() && it->first < to_ms && out.size() < max; ++it) {
    const Recall& recall = recalls_.find(it->second)->second;
    if (!recall.withdrawn) out.push_back(recall.message);
  }
  return out;
}

Validity NotificationsView::validate(const Message& message) const {
  const std::string key = tenant_key(message.tenant_id, message.booking_id);
  if (message.kind == MessageKind::kRecall) {
    const Recall* recall = find_in(recalls_, key);
    if (recall == nullptr || recall->message.id != message.id) return {false, "recall forgotten"};
    if (recall->withdrawn) return {false, "client booked the service again"};
    return {};
  }
  if (message.kind != MessageKind::kReminder) return {};
  const Appointment* appointment = find_in(appointments_, key);
  if (appointment != nullptr && appointment->start_seq == message.cause_seq) return {};
  const BookingRecord* booking = bookings_.find(message.tenant_id, message.booking_id);
  if (booking == nullptr) return {false, "booking unknown"};
  if (appointment != nullptr) return {false, "booking moved"};
  return {false, std::string(gone_reason(booking->state))};
}

Result<InvoiceDetail> NotificationsView::document(std::string_view tenant_id,
                                                  std::string_view id) const {
  return invoices_.find(tenant_id, id);
}

bool NotificationsView::has_staff(std::string_view tenant_id, std::string_view staff_id) const {
  const TenantInfo* tenant = catalog_.find_tenant(tenant_id);
  return tenant != nullptr && tenant->find_staff(staff_id) != nullptr;
}

void NotificationsView::withdraw_recalls(const BookingRecord& booking) {
  const std::vector<std::string>* keys =
      find_in(recalls_by_subject_, subject_key(booking.tenant_id, facts_of(booking)));
  if (keys == nullptr) return;
  for (const std::string& key : *keys) {
    Recall* recall = find_in(recalls_, key);
    if (recall != nullptr && recall->message.facts.start_ms < booking.start_ms) {
      recall->withdrawn = true;
    }
  }
}

void NotificationsView::index_recall(const std::string& key, const Recall& recall) {
  recalls_by_due_.emplace(recall.message.due_at_ms, key);
  recalls_by_subject_[subject_key(recall.message.tenant_id, recall.message.facts)].push_back(key);
}

void NotificationsView::prune(std::int64_t now_ms) {
  const std::int64_t horizon_ms = now_ms - kRetentionMs;
  while (!notices_.empty() && notices_.front().due_at_ms < horizon_ms) notices_.pop_front();
  while (!appointments_by_start_.empty() && appointments_by_start_.begin()->first < horizon_ms) {
    const std::string key = appointments_by_start_.begin()->second;
    remove_appointment(key);
    start_seqs_.erase(key);
  }
  while (!recalls_by_due_.empty() &&
         recalls_by_due_.begin()->first + kRecallUsefulMs < horizon_ms) {
    const std::string key = recalls_by_due_.begin()->second;
    recalls_by_due_.erase(recalls_by_due_.begin());
    const Recall& recall = recalls_.find(key)->second;
    auto subject =
        recalls_by_subject_.find(subject_key(recall.message.tenant_id, recall.message.facts));
    if (subject != recalls_by_subject_.end()) {
      std::erase(subject->second, key);
      if (subject->second.empty()) recalls_by_subject_.erase(subject);
    }
    recalls_.erase(key);
  }
}

void NotificationsView::encode_state(Encoder& out) const {
  catalog_.encode(out);
  bookings_.encode(out);
  out.u64(notices_.size());
  for (const Message& notice : notices_) encode_message(out, notice);
  out.u64(start_seqs_.size());
  for (const auto* entry : sorted_entries(start_seqs_)) {
    out.str(entry->first);
    out.u64(entry->second);
  }
  out.u64(appointments_.size());
  for (const auto* entry : sorted_entries(appointments_)) {
    const Appointment& appointment = entry->second;
    out.str(appointment.tenant_id);
    out.str(appointment.booking_id);
    out.u64(appointment.start_seq);
    out.i64(appointment.start_ms);
    out.i64(appointment.confirmed_at_ms);
  }
  out.u64(recalls_.size());
  for (const auto* entry : sorted_entries(recalls_)) {
    out.str(entry->first);
    encode_message(out, entry->second.message);
    out.str(entry->second.service_id);
    out.boolean(entry->second.withdrawn);
  }
  // The embedded views last: decode_state relies on it to fail the whole decode.
  out.str(availability_.encode());
  out.str(invoices_.encode());
}

void NotificationsView::decode_state(Decoder& in) {
  catalog_.decode(in);
  bookings_.decode(in);
  for (std::size_t i = 0, n = in.count(); i < n && !in.failed(); ++i) {
    notices_.push_back(decode_message(in));
  }
  for (std::size_t i = 0, n = in.count(); i < n && !in.failed(); ++i) {
    std::string key = in.str();
    start_seqs_[std::move(key)] = in.u64();
  }
  for (std::size_t i = 0, n = in.count(); i < n && !in.failed(); ++i) {
    Appointment appointment;
    appointment.tenant_id = in.str();
    appointment.booking_id = in.str();
    appointment.start_seq = in.u64();
    appointment.start_ms = in.i64();
    appointment.confirmed_at_ms = in.i64();
    add_appointment(std::move(appointment));
  }
  for (std::size_t i = 0, n = in.count(); i < n && !in.failed(); ++i) {
    const std::string key = in.str();
    Recall recall;
    recall.message = decode_message(in);
    recall.service_id = in.str();
    recall.withdrawn = in.boolean();
    index_recall(key, recall);
    recalls_[key] = std::move(recall);
  }
  const bool embedded_ok =
      availability_.decode(in.str()).is_ok() && invoices_.decode(in.str()).is_ok() &&
      availability_.applied_seq() == applied_seq() && invoices_.applied_seq() == applied_seq();
  // Reading past the end (the embedded views are the last fields) marks the decode failed.
  if (!embedded_ok) in.u64();
}

void NotificationsView::clear() {
  catalog_.clear();
  bookings_.clear();
  availability_.reset();
  invoices_.reset();
  notices_.clear();
  start_seqs_.clear();
  appointments_.clear();
  recalls_.clear();
  appointments_by_start_.clear();
  recalls_by_due_.clear();
  recalls_by_subject_.clear();
}

}  // namespace turno::projections::notifications
