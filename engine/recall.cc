#include "recall.h"

#include <algorithm>
#include <vector>

#include "decide.h"
#include "decide_support.h"
#include "event_kinds.h"
#include "lifecycle.h"
#include "verify.h"

namespace turno {
namespace {

using log_format::IdKind;

constexpr std::int64_t kKeptMs = kFinishedBookingKeptDays * 24 * 60 * kMsPerMinute;

void forget(Model& model, Tenant& tenant, const Booking& booking) {
  for (const PaymentState& state : booking.payments) {
    auto payment = tenant.payments.find(state.id);
    if (payment == tenant.payments.end()) continue;
    for (const std::string& key : payment->second.provider_events) {
      tenant.provider_events.erase(key);
    }
    tenant.payments.erase(payment);
  }
  for (const RefundState& refund : booking.refunds) tenant.refund_ids.erase(refund.id);
  tenant.bookings.erase(booking.id);
  --model.booking_count;
}

// The staff members a booking's events name: the scratch model of a recall needs them.
std::vector<std::string> staff_named(const std::vector<LogRecord>& records) {
  std::vector<std::string> staff;
  for (const LogRecord& record : records) {
    const v1::Envelope& event = record.envelope;
    if (event.has_slot_held()) staff.push_back(event.slot_held().staff_id());
    if (event.has_booking_rescheduled()) staff.push_back(event.booking_rescheduled().staff_id());
  }
  return staff;
}

// Folds the booking's events up to `upto` into a scratch model of its tenant (no calendars,
// no timers of other bookings to disturb) and moves the finished booking into `model`.
Status recall_booking(const EventLog& log, Model& model, Tenant& tenant,
                      std::string_view booking_id, Seq upto, std::size_t* counted = nullptr) {
  const std::string stream = entity_stream(tenant.id, "booking", booking_id);
  auto started = log.stream_started(stream);
  if (!started.is_ok()) return started.status();
  if (!started.value()) return Status::ok();  // no such booking (a new id): nothing to recall
  auto seqs = log.stream_seqs(stream);
  if (!seqs.is_ok()) return seqs.status();
  std::vector<LogRecord> records;
  for (Seq seq : seqs.value()) {
    if (seq > upto) break;
    auto record = log.read_one(seq);
    if (!record.is_ok()) return record.status();
    records.push_back(std::move(record).value());
  }
  if (records.empty()) return Status::ok();  // no such booking: nothing to recall
  Model scratch;
  Tenant& copy = scratch.tenants[tenant.id];
  copy.id = tenant.id;
  copy.policy = tenant.policy;
  for (const std::string& staff_id : staff_named(records)) copy.staff[staff_id].id = staff_id;
  for (const LogRecord& record : records) {
    scratch.last_seq = Seq{record.seq.value - 1};
    evolve(scratch, record.envelope);
  }
  auto found = copy.bookings.find(booking_id);
  VERIFY(found != copy.bookings.end(), "a booking's stream starts with its SlotHeld");
  Booking& booking = found->second;
  if (!is_finished(booking.status)) {
    return Status::corruption("recall: booking " + std::string(booking_id) +
                              " is not in the model but its events leave it " +
                              std::string(to_string(booking.status)));
  }
  booking.last_event_seq = records.back().seq.value;
  for (auto& [id, payment] : copy.payments) {
    for (const std::string& key : payment.provider_events) tenant.provider_events.insert(key);
    tenant.payments.emplace(id, std::move(payment));
  }
  for (const RefundState& refund : booking.refunds) tenant.refund_ids.insert(refund.id);
  model.finished.insert(
      FinishedBooking{booking.last_event_ms, InternedId::of(tenant.id), booking.id});
  tenant.bookings.emplace(booking.id, std::move(booking));
  ++model.booking_count;
  if (counted != nullptr) ++*counted;
  return Status::ok();
}

Status recall_owner(const EventLog& log, Model& model, Tenant& tenant, IdKind kind,
                    std::string_view id, std::size_t& recalled) {
  if (id.empty()) return Status::ok();
  auto owner = log.find_id_owner(tenant.id, kind, id);
  if (!owner.is_ok()) return owner.status();
  if (!owner.value() || tenant.find_booking(*owner.value()) != nullptr) return Status::ok();
  return recall_booking(log, model, tenant, *owner.value(), log.last_seq(), &recalled);
}

// A payment's booking: in memory with it, else by the ids index.
Status recall_payment_owner(const EventLog& log, Model& model, Tenant& tenant,
                            std::string_view payment_id, std::size_t& recalled) {
  if (tenant.find_payment(payment_id) != nullptr) return Status::ok();
  return recall_owner(log, model, tenant, IdKind::kPayment, payment_id, recalled);
}

// A provider event key: a key in memory is a known duplicate; a new one may belong to a
// forgotten booking (a provider replaying an old event), so the ids index is asked.
Status recall_event_owner(const EventLog& log, Model& model, Tenant& tenant, const std::string& key,
                          std::size_t& recalled) {
  if (tenant.provider_event_seen(key)) return Status::ok();
  return recall_owner(log, model, tenant, IdKind::kProviderEvent, key, recalled);
}

// A webhook's payment and provider event (RecordPaymentSucceeded or RecordPaymentFailed).
template <typename Webhook>
Status recall_webhook_owners(const EventLog& log, Model& model, Tenant& tenant, const Webhook& body,
                             std::size_t& recalled) {
  Status status = recall_payment_owner(log, model, tenant, body.payment_id(), recalled);
  if (!status.is_ok()) return status;
  return recall_event_owner(
      log, model, tenant, provider_event_key(body.provider(), body.provider_event_id()), recalled);
}

// The other ids a command names that a forgotten booking may own.
Status recall_by_ids(const EventLog& log, Model& model, Tenant& tenant, const v1::Command& command,
                     std::size_t& recalled) {
  switch (command.kind_case()) {
    case v1::Command::kRequestPayment:
      return recall_payment_owner(log, model, tenant, command.request_payment().payment_id(),
                                  recalled);
    case v1::Command::kIssueRefund: {
      const std::string& refund_id = command.issue_refund().refund_id();
      if (refund_id.empty() || tenant.refund_ids.contains(refund_id)) return Status::ok();
      return recall_owner(log, model, tenant, IdKind::kRefund, refund_id, recalled);
    }
    case v1::Command::kRecordDeskPayment: {
      const std::string& receipt = command.record_desk_payment().receipt_id();
      if (receipt.empty()) return Status::ok();
      return recall_event_owner(log, model, tenant, provider_event_key(kDeskProvider, receipt),
                                recalled);
    }
    case v1::Command::kRecordPaymentSucceeded:
      return recall_webhook_owners(log, model, tenant, command.record_payment_succeeded(),
                                   recalled);
    case v1::Command::kRecordPaymentFailed:
      return recall_webhook_owners(log, model, tenant, command.record_payment_failed(), recalled);
    default:
      return Status::ok();
  }
}

}  // namespace

std::size_t forget_finished(Model& model, Seq committed) {
  const std::int64_t cutoff = model.latest_recorded_ms - kKeptMs;
  std::size_t forgotten = 0;
  for (auto it = model.finished.begin();
       it != model.finished.end() && it->last_event_ms < cutoff;) {
    Tenant* tenant = model.find_tenant(it->tenant_id);
    VERIFY(tenant != nullptr, "finished bookings of known tenants");
    const Booking* booking = tenant->find_booking(it->booking_id);
    VERIFY(booking != nullptr && is_finished(booking->status), "the finished set follows");
    if (booking->last_event_seq > committed.value) {
      ++it;  // its last event is not durable yet: a recall could not find it
      continue;
    }
    forget(model, *tenant, *booking);
    it = model.finished.erase(it);
    ++forgotten;
  }
  return forgotten;
}

Status fold_from_log(const EventLog& log, Model& model, const v1::Envelope& event) {
  if (!is_catalog_event(event) && !event.has_slot_held()) {
    Tenant* tenant = model.find_tenant(event.tenant_id());
    const std::string_view booking_id = booking_id_of(event);
    if (tenant != nullptr && tenant->find_booking(booking_id) == nullptr) {
      Status status = recall_booking(log, model, *tenant, booking_id, Seq{event.seq() - 1});
      if (!status.is_ok()) return status;
    }
  }
  evolve(model, event);
  forget_finished(model, Seq{event.seq()});  // how many: only the writer counts them
  return Status::ok();
}

Result<Model> replay_log(const EventLog& log, Model start) {
  LogCursor cursor = log.read(start.last_seq.next());
  while (cursor.next()) {
    if (Status status = fold_from_log(log, start, cursor.record().envelope); !status.is_ok()) {
      return status;
    }
  }
  if (!cursor.status().is_ok()) return cursor.status();
  return start;
}

Result<std::size_t> recall_for_command(const EventLog& log, Model& model,
                                       const v1::Command& command) {
  Tenant* tenant = model.find_tenant(command.tenant_id());
  if (tenant == nullptr) return std::size_t{0};
  std::size_t recalled = 0;
  const std::string_view booking_id = booking_id_of(command);
  if (!booking_id.empty() && !decide_detail::check_id("booking_id", booking_id, true) &&
      tenant->find_booking(booking_id) == nullptr) {
    Status status = recall_booking(log, model, *tenant, booking_id, log.last_seq(), &recalled);
    if (!status.is_ok()) return status;
  }
  if (Status status = recall_by_ids(log, model, *tenant, command, recalled); !status.is_ok()) {
    return status;
  }
  return recalled;
}

}  // namespace turno
