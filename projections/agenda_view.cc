#include "agenda_view.h"

#include "json.h"
#include "local_time.h"

namespace turno::projections {

void AgendaView::on_booking(const BookingChange& change, const v1::Envelope&) {
  const BookingRecord& booking = *change.booking;
  if (change.created) {
    by_staff_[tenant_key(booking.tenant_id, booking.staff_id)].emplace(booking.start_ms,
                                                                       booking.id);
    return;
  }
  if (change.kind != v1::Envelope::kBookingRescheduled) return;
  if (auto* slots = find_in(by_staff_, tenant_key(booking.tenant_id, change.previous_staff_id))) {
    slots->erase({change.previous_start_ms, booking.id});
  }
  by_staff_[tenant_key(booking.tenant_id, booking.staff_id)].emplace(booking.start_ms, booking.id);
}

Result<Agenda> AgendaView::query(const AgendaRequest& request) const {
  if (request.days < 1 || request.days > kAgendaDaysMax) {
    return Status::invalid_argument("days must be 1 to " + std::to_string(kAgendaDaysMax));
  }
  const TenantInfo* tenant = catalog().find_tenant(request.tenant_id);
  const StaffInfo* staff = tenant ? tenant->find_staff(request.staff_id) : nullptr;
  const SiteInfo* site = staff ? tenant->find_site(staff->site_id) : nullptr;
  if (staff == nullptr || site == nullptr || site->zone == nullptr) {
    return Status::not_found("no staff member " + request.staff_id);
  }
  const std::int64_t from_day =
      request.from_day.value_or(to_local(*site->zone, request.now_ms).days_since_epoch);
  Agenda agenda{request.tenant_id, staff->id,  staff->name, site->id,     site->name,
                site->time_zone,   site->zone, from_day,    request.days, {}};
  const std::int64_t from_ms = to_instant(*site->zone, from_day, 0);
  const std::int64_t to_ms = to_instant(*site->zone, from_day + request.days, 0);
  const Slots* slots = find_in(by_staff_, tenant_key(request.tenant_id, request.staff_id));
  if (slots == nullptr) return agenda;
  for (auto it = slots->lower_bound({from_ms, std::string()});
       it != slots->end() && it->first < to_ms; ++it) {
    const BookingRecord* booking = bookings().find(request.tenant_id, it->second);
    if (booking == nullptr || booking->state == BookingStatus::kExpired) continue;
    const bool off =
        booking->state == BookingStatus::kCancelled || booking->state == BookingStatus::kNoShow;
    if (off && !request.include_cancelled) continue;
    const ServiceInfo* service = tenant->find_service(booking->service_id);
    agenda.entries.push_back(AgendaEntry{
        booking->id, booking->client_id.str(), booking->patient, booking->service_id.str(),
        service ? service->name : booking->service_id.str(), booking->start_ms, booking->end_ms,
        booking->state, booking->price_minor, booking->currency.str(), booking->updated_at_ms});
  }
  return agenda;
}

void AgendaView::rebuild_indexes() {
  by_staff_.clear();
  for (const auto& [tenant_id, of_tenant] : bookings().tenants()) {
    for (const BookingRecord& booking : of_tenant) {
      by_staff_[tenant_key(tenant_id, booking.staff_id)].emplace(booking.start_ms, booking.id);
    }
  }
}

std::string agenda_json(const Agenda& agenda) {
  JsonWriter json;
  json.begin_object()
      .field("tenant_id", agenda.tenant_id)
      .field("staff_id", agenda.staff_id)
      .field("staff_name", agenda.staff_name)
      .field("site_id", agenda.site_id)
      .field("site_name", agenda.site_name)
      .field("time_zone", agenda.time_zone)
      .field("from", format_date(agenda.from_day))
      .field("days", agenda.days);
  json.key("dates").begin_array();
  std::size_t next = 0;
  for (std::int64_t day = agenda.from_day; day < agenda.from_day + agenda.days; ++day) {
    const std::int64_t day_end_ms = to_instant(*agenda.zone, day + 1, 0);
    json.begin_object().field("date", format_date(day)).key("bookings").begin_array();
    for (; next < agenda.entries.size() && agenda.entries[next].start_ms < day_end_ms; ++next) {
      const AgendaEntry& entry = agenda.entries[next];
      json.begin_object()
          .field("booking_id", entry.booking_id)
          .field("status", to_string(entry.state))
          .field("start", format_local(*agenda.zone, entry.start_ms))
          .field("end", format_local(*agenda.zone, entry.end_ms))
          .field("duration_min", (entry.end_ms - entry.start_ms) / kMsPerMinute)
          .field("client_id", entry.client_id)
          .field("patient", entry.patient)
          .field("service_id", entry.service_id)
          .field("service_name", entry.service_name)
          .field("price_minor", entry.price_minor)
          .field("currency", entry.currency)
          .end_object();
    }
    json.end_array().end_object();
  }
  json.end_array().end_object();
  return json.take();
}

}  // namespace turno::projections
