#include "history_workload.h"

#include <optional>
#include <vector>

#include "clinic_catalog.h"
#include "commands.pb.h"
#include "wave.h"

namespace turno::bench {
namespace {

constexpr std::int64_t kSlotMs = 35 * kMsPerMinute;  // 30 min service + 5 min buffer after
constexpr int kSlotsPerDay = 13;                     // 09:00 .. 16:00 starts, Lima time
constexpr int kWeekdaysAhead = 120;                  // inside the 180-day horizon
constexpr std::int64_t kNineLimaUtcMs = 14 * kMsPerHour;

struct Staffing {
  int tenants = 0;
  int sites_per_tenant = 0;
  int staff = 0;
  std::string tenant_of(int staff_index) const {
    return "t" + std::to_string(staff_index % tenants);
  }
  std::string site_of(int staff_index) const {
    return "s" + std::to_string((staff_index / tenants) % sites_per_tenant);
  }
};

// Tenant t<i> ("Clinic t<i>"), its sites, and staff k at tenant k % tenants, Mon-Fri.
CatalogPlan plan_of(const Staffing& staffing) {
  CatalogPlan plan;
  for (int t = 0; t < staffing.tenants; ++t) {
    const std::string id = "t" + std::to_string(t);
    plan.tenants.push_back({id, "Clinic " + id, staffing.sites_per_tenant});
  }
  for (int k = 0; k < staffing.staff; ++k) {
    plan.staff.push_back({staffing.tenant_of(k), "st" + std::to_string(k), staffing.site_of(k)});
  }
  return plan;
}

// Booking k's place: staff k % staff, then the weekday and slot after those taken before it.
std::int64_t slot_start_ms(std::uint64_t booking, int staff) {
  const std::uint64_t per_staff = booking / static_cast<std::uint64_t>(staff);
  const std::int64_t weekday = static_cast<std::int64_t>(per_staff / kSlotsPerDay);
  const std::int64_t slot = static_cast<std::int64_t>(per_staff % kSlotsPerDay);
  const std::int64_t day = (weekday / 5) * 7 + weekday % 5;
  return kWorkloadMonday + day * kMsPerDay + kNineLimaUtcMs + slot * kSlotMs;
}

// What happens to booking k after its payment was requested (deterministic, by k).
enum class Fate { kPaid, kPaidThenCancelled, kPaymentFailed, kPending };
Fate fate_of(std::uint64_t booking) {
  switch (booking % 20) {
    case 0:
      return Fate::kPaymentFailed;
    case 1:
      return Fate::kPending;
    case 2:
    case 3:
      return Fate::kPaidThenCancelled;
    default:
      return Fate::kPaid;
  }
}

// One step of booking k's story, or nothing when its fate skips that step.
struct BookingRef {
  std::uint64_t k = 0;
  std::string tenant;
  std::string id;      // "b<k>"
  std::string client;  // "c<k mod 5000>"
};
using Step = std::optional<v1::Command> (*)(const BookingRef&, const Staffing&);

std::optional<v1::Command> hold_step(const BookingRef& booking, const Staffing& staffing) {
  v1::Command out = shell(booking.tenant, "hold-" + booking.id, v1::ROLE_CLIENT, booking.client);
  const int staff = static_cast<int>(booking.k % static_cast<std::uint64_t>(staffing.staff));
  auto& body = *out.mutable_hold_slot();
  body.set_booking_id(booking.id);
  body.set_site_id(staffing.site_of(staff));
  body.set_service_id("consult");
  body.set_staff_id("st" + std::to_string(staff));
  body.set_start_ms(slot_start_ms(booking.k, staffing.staff));
  return out;
}

std::optional<v1::Command> payment_request_step(const BookingRef& booking, const Staffing&) {
  v1::Command out = shell(booking.tenant, "pay-" + booking.id, v1::ROLE_CLIENT, booking.client);
  out.mutable_request_payment()->set_booking_id(booking.id);
  out.mutable_request_payment()->set_provider("sandbox");
  out.mutable_request_payment()->set_payment_id("p" + booking.id);
  return out;
}

std::optional<v1::Command> webhook_step(const BookingRef& booking, const Staffing&) {
  const Fate fate = fate_of(booking.k);
  if (fate == Fate::kPending) return std::nullopt;
  return payment_webhook(booking.tenant, "webhook-" + booking.id, "p" + booking.id,
                         "ev-" + booking.id, fate == Fate::kPaymentFailed);
}

std::optional<v1::Command> cancellation_step(const BookingRef& booking, const Staffing&) {
  if (fate_of(booking.k) != Fate::kPaidThenCancelled) return std::nullopt;
  v1::Command out = shell(booking.tenant, "cancel-" + booking.id, v1::ROLE_CLIENT, booking.client);
  out.mutable_cancel_booking()->set_booking_id(booking.id);
  out.mutable_cancel_booking()->set_reason("changed plans");
  return out;
}

// Bookings first .. first + count - 1, one wave per step.
Status write_bookings(Writer& writer, const Staffing& staffing, std::uint64_t first,
                      std::uint64_t count) {
  constexpr std::uint64_t kClients = 5000;
  Wave wave(writer);
  for (Step step : {hold_step, payment_request_step, webhook_step, cancellation_step}) {
    for (std::uint64_t k = first; k < first + count; ++k) {
      const BookingRef booking{k, staffing.tenant_of(int(k % std::uint64_t(staffing.staff))),
                               "b" + std::to_string(k), "c" + std::to_string(k % kClients)};
      if (std::optional<v1::Command> command = step(booking, staffing)) {
        wave.add(std::move(*command));
      }
    }
    if (Status status = wave.run(); !status.is_ok()) return status;
  }
  return Status::ok();
}

}  // namespace

Status write_workload(Writer& writer, const WorkloadOptions& options) {
  constexpr std::uint64_t kEventsPerBookingMin = 4;
  const std::uint64_t bookings_max = options.events_min / kEventsPerBookingMin + 1;
  const std::uint64_t slots_per_staff = std::uint64_t{kSlotsPerDay} * kWeekdaysAhead;
  Staffing staffing;
  staffing.tenants = std::max(options.tenants, 1);
  staffing.sites_per_tenant = std::max(options.sites_per_tenant, 1);
  staffing.staff = static_cast<int>(
      std::max<std::uint64_t>((bookings_max + slots_per_staff - 1) / slots_per_staff,
                              std::uint64_t(staffing.tenants * staffing.sites_per_tenant)));
  if (Status status = write_catalog(writer, plan_of(staffing)); !status.is_ok()) return status;
  for (std::uint64_t first = 0; writer.log().last_seq().value < options.events_min;
       first += options.wave_bookings) {
    if (Status status = write_bookings(writer, staffing, first, options.wave_bookings);
        !status.is_ok()) {
      return status;
    }
  }
  return Status::ok();
}

}  // namespace turno::bench
