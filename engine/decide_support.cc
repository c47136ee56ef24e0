#include "decide_support.h"

#include <algorithm>

namespace turno::decide_detail {

v1::Envelope& Emitter::emit(const std::string& stream, std::uint64_t version_before,
                            std::string_view site_id) {
  auto it = std::find_if(versions_.begin(), versions_.end(),
                         [&](const auto& entry) { return entry.first == stream; });
  if (it == versions_.end()) {
    versions_.emplace_back(stream, version_before);
    it = std::prev(versions_.end());
  }
  ++it->second;
  v1::Envelope& envelope = events_.emplace_back();
  envelope.set_stream(stream);
  envelope.set_stream_version(it->second);
  envelope.set_recorded_at_ms(context_.now_ms);
  envelope.set_tenant_id(command_.tenant_id());
  envelope.set_site_id(std::string(site_id));
  envelope.set_command_id(command_.command_id());
  envelope.set_correlation_id(command_.correlation_id());
  *envelope.mutable_actor() = command_.actor();
  return envelope;
}

std::optional<Rejection> check_id(std::string_view field, std::string_view value, bool required) {
  if (value.empty()) {
    if (!required) return std::nullopt;
    return Rejection{RejectionCode::kValidation, std::string(field),
                     std::string(field) + " is required"};
  }
  const bool well_formed =
      value.size() <= kIdBytesMax && std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
      });
  if (well_formed) return std::nullopt;
  return Rejection{RejectionCode::kValidation, std::string(field),
                   std::string(field) + " must be 1 to " + std::to_string(kIdBytesMax) +
                       " of A-Z a-z 0-9 . _ -"};
}

std::optional<Rejection> check_text(std::string_view field, std::string_view value,
                                    std::size_t max_bytes, bool required) {
  if (required && value.empty()) {
    return Rejection{RejectionCode::kValidation, std::string(field),
                     std::string(field) + " is required"};
  }
  if (value.size() > max_bytes) {
    return Rejection{
        RejectionCode::kValidation, std::string(field),
        std::string(field) + " is longer than " + std::to_string(max_bytes) + " bytes"};
  }
  return std::nullopt;
}

std::optional<Rejection> check_range(std::string_view field, std::int64_t value, std::int64_t min,
                                     std::int64_t max) {
  if (value >= min && value <= max) return std::nullopt;
  return Rejection{RejectionCode::kValidation, std::string(field),
                   std::string(field) + " must be between " + std::to_string(min) + " and " +
                       std::to_string(max)};
}

bool role_in(const v1::Actor& actor, std::initializer_list<v1::Role> roles) {
  return std::find(roles.begin(), roles.end(), actor.role()) != roles.end();
}

Decision forbidden(const v1::Actor& actor) {
  return reject(RejectionCode::kForbidden, "",
                "role " + v1::Role_Name(actor.role()) + " may not do this");
}

Decision find_booking_for(const Tenant& tenant, const v1::Actor& actor, std::string_view booking_id,
                          const Booking*& booking) {
  booking = tenant.find_booking(booking_id);
  if (booking != nullptr &&
      may_see(requester_of(actor), BookingParties{booking->client_id, booking->site_id})) {
    return Decision{};
  }
  booking = nullptr;
  return reject(RejectionCode::kUnknownId, "booking_id", "no booking " + std::string(booking_id));
}

std::optional<Rejection> check_may_request(const v1::Command& command) {
  if (may_request(command.actor().role(), command.kind_case())) return std::nullopt;
  return std::move(forbidden(command.actor()).rejection);
}

namespace {

// The local end of an appointment, as minutes of the start's local day (1440 = midnight).
std::optional<std::int32_t> local_end_minute(const TimeZone& zone, const LocalTime& start,
                                             std::int64_t end_ms) {
  const LocalTime end = to_local(zone, end_ms);
  if (end.days_since_epoch == start.days_since_epoch) return end.minute_of_day;
  if (end.days_since_epoch == start.days_since_epoch + 1 && end.minute_of_day == 0) return 1440;
  return std::nullopt;
}

bool within_week(const Staff& staff, const TimeZone& zone, const Interval& appointment) {
  const LocalTime start = to_local(zone, appointment.start_ms);
  const std::optional<std::int32_t> end_minute = local_end_minute(zone, start, appointment.end_ms);
  if (!end_minute || *end_minute <= start.minute_of_day) return false;
  const auto& windows = staff.week[static_cast<std::size_t>(start.weekday)];
  return std::any_of(windows.begin(), windows.end(), [&](const WorkingWindow& window) {
    return window.start_min <= start.minute_of_day && *end_minute <= window.end_min;
  });
}

}  // namespace

std::optional<Rejection> check_staff_can_take(const Site& site, const Service& service,
                                              const Staff& staff, const Interval& appointment,
                                              const Interval& blocked, std::string_view ignore) {
  if (staff.departed) {
    return Rejection{RejectionCode::kRetired, "staff_id",
                     "staff member " + staff.id + " no longer takes bookings"};
  }
  if (staff.site_id != site.id) {
    return Rejection{RejectionCode::kWrongSite, "staff_id",
                     "staff member " + staff.id + " does not work at site " + site.id};
  }
  if (!service.required_skill.empty() && !staff.has_skill(service.required_skill)) {
    return Rejection{RejectionCode::kLacksSkill, "staff_id",
                     "staff member " + staff.id + " lacks skill " + service.required_skill};
  }
  if (site.zone == nullptr || !within_week(staff, *site.zone, appointment)) {
    return Rejection{RejectionCode::kOutsideWorkingHours, "start_ms",
                     "outside the working hours of staff member " + staff.id};
  }
  if (staff.time_off_union.overlaps(appointment)) {
    return Rejection{RejectionCode::kInTimeOff, "start_ms",
                     "staff member " + staff.id + " is off at that time"};
  }
  if (!staff.calendar.is_free(blocked, ignore)) {
    return Rejection{RejectionCode::kSlotTaken, "start_ms",
                     "staff member " + staff.id + " is already booked at that time"};
  }
  return std::nullopt;
}

std::optional<Rejection> check_booking_window(const Policy& policy, std::int64_t start_ms,
                                              std::int64_t now_ms) {
  if (start_ms < now_ms + policy.min_notice_min * kMsPerMinute) {
    return Rejection{RejectionCode::kOutsideBookingWindow, "start_ms",
                     "starts sooner than the minimum notice of " +
                         std::to_string(policy.min_notice_min) + " minutes"};
  }
  if (start_ms > now_ms + policy.horizon_days * kMsPerDay) {
    return Rejection{
        RejectionCode::kOutsideBookingWindow, "start_ms",
        "starts after the booking horizon of " + std::to_string(policy.horizon_days) + " days"};
  }
  return std::nullopt;
}

std::int64_t platform_fee(const Tenant& tenant, std::int64_t amount_minor) {
  // amount <= 10^12 and bp <= 10^4: the product fits in int64 with room to spare.
  const std::int64_t share = (amount_minor * tenant.platform_fee_bp + 5'000) / 10'000;
  return std::min(amount_minor, share + tenant.platform_fee_fixed_minor);
}

}  // namespace turno::decide_detail

namespace turno::decide_detail {

void emit_refunds(Emitter& out, const Tenant& tenant, const Booking& booking,
                  std::int64_t amount_minor, v1::RefundReason reason, std::string_view note,
                  std::string_view refund_id, const DecideContext& context) {
  std::int64_t remaining = amount_minor;
  int part = 0;
  for (const PaymentState& payment : booking.payments) {
    if (remaining == 0) break;
    if (payment.status != PaymentStatus::kSucceeded) continue;
    const std::int64_t refundable = payment.amount_minor - booking.refunded_minor_of(payment.id);
    const std::int64_t amount = std::min(refundable, remaining);
    if (amount <= 0) continue;
    // The given id names the first part; later parts (a booking paid twice) add a suffix.
    std::string id = refund_id.empty() ? generate_id(kRefundIdPrefix, context,
                                                     [&](const std::string& candidate) {
                                                       return tenant.refund_id_taken(candidate);
                                                     })
                                       : std::string(refund_id);
    if (part > 0) id.append("_").append(std::to_string(part + 1));
    auto& event = *out.emit(entity_stream(tenant.id, "booking", booking.id), booking.stream_version,
                            booking.site_id)
                       .mutable_refund_issued();
    event.set_booking_id(booking.id);
    event.set_payment_id(payment.id);
    event.set_refund_id(id);
    event.set_amount_minor(amount);
    event.set_currency(tenant.currency);
    event.set_reason(reason);
    event.set_note(std::string(note));
    remaining -= amount;
    ++part;
  }
  VERIFY(remaining == 0, "refunds never exceed what was paid");
}

}  // namespace turno::decide_detail
