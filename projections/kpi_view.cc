#include "kpi_view.h"

#include "json.h"
#include "local_time.h"

namespace turno::projections {
namespace {

// Every counter, in encoding order: add(), encode and decode walk this one list.
constexpr std::array<std::int64_t KpiCounters::*, 15> kCounterFields = {
    &KpiCounters::holds,
    &KpiCounters::bookings,
    &KpiCounters::confirmed,
    &KpiCounters::cancelled_by_client,
    &KpiCounters::cancelled_by_staff,
    &KpiCounters::cancelled_by_admin,
    &KpiCounters::cancelled_by_system,
    &KpiCounters::no_shows,
    &KpiCounters::completed,
    &KpiCounters::gross_minor,
    &KpiCounters::refunds_minor,
    &KpiCounters::platform_fees_minor,
    &KpiCounters::booked_minutes,
    &KpiCounters::lead_time_min_sum,
    &KpiCounters::holds_paid,
};

// Time that was sold: it counts toward utilisation on the appointment's day.
bool is_sold(BookingStatus state) {
  return state == BookingStatus::kConfirmed || state == BookingStatus::kCheckedIn ||
         state == BookingStatus::kCompleted || state == BookingStatus::kNoShow;
}

std::int64_t local_day_of(const TimeZone* zone, std::int64_t instant_ms) {
  if (zone != nullptr) return to_local(*zone, instant_ms).days_since_epoch;
  return instant_ms >= 0 ? instant_ms / kMsPerDay : (instant_ms - kMsPerDay + 1) / kMsPerDay;
}

std::int64_t* cancellation_counter(KpiCounters& counters, v1::CancelledBy by) {
  switch (by) {
    case v1::CANCELLED_BY_CLIENT:
      return &counters.cancelled_by_client;
    case v1::CANCELLED_BY_STAFF:
      return &counters.cancelled_by_staff;
    case v1::CANCELLED_BY_ADMIN:
      return &counters.cancelled_by_admin;
    default:
      return &counters.cancelled_by_system;
  }
}

// The request's first day at a site: given, or `days` days ending today in the site's zone.
std::int64_t first_day(const KpiRequest& request, const TimeZone* zone) {
  if (request.from_day) return *request.from_day;
  return local_day_of(zone, request.now_ms) - request.days + 1;
}

bool first_success(const BookingRecord& booking) {
  int succeeded = 0;
  for (const auto& payment : booking.payments)
    succeeded += payment.state == PaymentStatus::kSucceeded;
  return succeeded == 1;
}

void write_figures(JsonWriter& json, const KpiFigures& figures) {
  const KpiCounters& c = figures.counters;
  json.field("holds", c.holds)
      .field("bookings", c.bookings)
      .field("confirmed", c.confirmed)
      .key("cancelled")
      .begin_object()
      .field("by_client", c.cancelled_by_client)
      .field("by_staff", c.cancelled_by_staff)
      .field("by_admin", c.cancelled_by_admin)
      .field("by_system", c.cancelled_by_system)
      .end_object()
      .field("no_shows", c.no_shows)
      .field("completed", c.completed)
      .field("gross_minor", c.gross_minor)
      .field("refunds_minor", c.refunds_minor)
      .field("platform_fees_minor", c.platform_fees_minor)
      .field("net_minor", figures.net_minor)
      .field("booked_minutes", c.booked_minutes)
      .field("scheduled_minutes", figures.scheduled_minutes)
      .field("utilisation_bp", figures.utilisation_bp)
      .field("mean_lead_time_min", figures.mean_lead_time_min)
      .field("holds_paid", c.holds_paid)
      .field("conversion_bp", figures.conversion_bp);
}

}  // namespace

void KpiCounters::add(const KpiCounters& other) {
  for (auto field : kCounterFields) this->*field += other.*field;
}

void finish_figures(KpiFigures& figures) {
  const KpiCounters& c = figures.counters;
  figures.net_minor = c.gross_minor - c.refunds_minor - c.platform_fees_minor;
  figures.utilisation_bp =
      figures.scheduled_minutes > 0 ? c.booked_minutes * 10'000 / figures.scheduled_minutes : 0;
  figures.mean_lead_time_min = c.holds > 0 ? c.lead_time_min_sum / c.holds : 0;
  figures.conversion_bp = c.holds > 0 ? c.holds_paid * 10'000 / c.holds : 0;
}

std::int64_t scheduled_minutes(const StaffInfo& staff, const TimeZone& zone, std::int64_t day) {
  const DayFrame frame = day_frame(zone, day);
  if (staff.departed() && staff.departed_at_ms <= frame.start_ms) return 0;
  const WeekSchedule* week = staff.schedule_at(frame.end_ms - 1);
  if (week == nullptr) return 0;
  std::int64_t total_ms = 0;
  for (const WorkingWindow& window : (*week)[static_cast<std::size_t>(frame.weekday)]) {
    const Interval working{instant_at(zone, frame, window.start_min),
                           instant_at(zone, frame, window.end_min)};
    if (working.end_ms <= working.start_ms) continue;
    total_ms += working.length_ms() - staff.time_off_union.covered_ms(working);
  }
  return total_ms / kMsPerMinute;
}

void KpiView::on_booking(const BookingChange& change, const v1::Envelope& event) {
  // The event's counters move only on its own day (plus holds_paid on the hold's day, which
  // the totals do not show): the totals take the day's difference.
  const KpiCounters& today = counters(*change.booking, event.recorded_at_ms());
  const KpiCounters before = today;
  count_event(change, event);
  KpiCounters& total = totals_[tenant_key(change.booking->tenant_id, change.booking->site_id)];
  for (auto field : kCounterFields) total.*field += today.*field - before.*field;
  count_booked_minutes(change);
}

void KpiView::rebuild_indexes() {
  totals_.clear();
  for (const auto& [key, days] : days_) {
    KpiCounters& total = totals_[key];
    for (const auto& [day, counters] : days) total.add(counters);
  }
}

KpiCounters& KpiView::counters(const BookingRecord& booking, std::int64_t instant_ms) {
  const TimeZone* zone = catalog().zone_of(booking.tenant_id, booking.site_id);
  return days_[tenant_key(booking.tenant_id, booking.site_id)][local_day_of(zone, instant_ms)];
}

void KpiView::count_event(const BookingChange& change, const v1::Envelope& event) {
  const BookingRecord& booking = *change.booking;
  KpiCounters& today = counters(booking, event.recorded_at_ms());
  switch (change.kind) {
    case v1::Envelope::kSlotHeld:
      ++today.holds;
      today.lead_time_min_sum += (booking.start_ms - booking.held_at_ms) / kMsPerMinute;
      break;
    case v1::Envelope::kPaymentRequested:
      today.bookings += booking.payments.size() == 1;
      break;
    case v1::Envelope::kPaymentSucceeded:
      if (change.payment == nullptr) break;
      today.gross_minor += change.payment->amount_minor;
      today.platform_fees_minor += change.payment->platform_fee_minor;
      if (first_success(booking)) ++counters(booking, booking.held_at_ms).holds_paid;
      break;
    case v1::Envelope::kRefundIssued:
      today.refunds_minor += change.refund ? change.refund->amount_minor : 0;
      break;
    case v1::Envelope::kBookingConfirmed:
      ++today.confirmed;
      break;
    case v1::Envelope::kBookingCancelled:
      ++*cancellation_counter(today, booking.cancelled_by);
      break;
    case v1::Envelope::kNoShowMarked:
      ++today.no_shows;
      break;
    case v1::Envelope::kBookingCompleted:
      ++today.completed;
      break;
    default:
      break;
  }
}

void KpiView::count_booked_minutes(const BookingChange& change) {
  const BookingRecord& booking = *change.booking;
  const bool was_sold = !change.created && is_sold(change.previous_state);
  const bool now_sold = is_sold(booking.state);
  const bool moved = change.kind == v1::Envelope::kBookingRescheduled;
  if (was_sold == now_sold && !(moved && now_sold)) return;
  if (was_sold) {
    counters(booking, change.previous_start_ms).booked_minutes -=
        (change.previous_end_ms - change.previous_start_ms) / kMsPerMinute;
  }
  if (now_sold) {
    counters(booking, booking.start_ms).booked_minutes +=
        (booking.end_ms - booking.start_ms) / kMsPerMinute;
  }
}

SiteKpis KpiView::site_figures(const TenantInfo& tenant, const SiteInfo& site,
                               const KpiRequest& request) const {
  SiteKpis out{site.id, site.name, site.time_zone, {}, {}};
  const Days* days = find_in(days_, tenant_key(tenant.id, site.id));
  const std::int64_t from_day = first_day(request, site.zone);
  for (std::int64_t day = from_day; day < from_day + request.days; ++day) {
    KpiFigures figures;
    if (days != nullptr) {
      if (auto it = days->find(day); it != days->end()) figures.counters = it->second;
    }
    if (site.zone != nullptr) {
      for (const std::string& staff_id : tenant.staff_at(site.id)) {
        figures.scheduled_minutes +=
            scheduled_minutes(*tenant.find_staff(staff_id), *site.zone, day);
      }
    }
    out.total.counters.add(figures.counters);
    out.total.scheduled_minutes += figures.scheduled_minutes;
    finish_figures(figures);
    if (request.per_day) out.days.emplace_back(day, figures);
  }
  finish_figures(out.total);
  return out;
}

Result<KpiReport> KpiView::query(const KpiRequest& request) const {
  if (request.days < 1 || request.days > kKpiDaysMax) {
    return Status::invalid_argument("days must be 1 to " + std::to_string(kKpiDaysMax));
  }
  const TenantInfo* tenant = catalog().find_tenant(request.tenant_id);
  if (tenant == nullptr) return Status::not_found("no tenant " + request.tenant_id);
  if (!request.site_id.empty() && tenant->find_site(request.site_id) == nullptr) {
    return Status::not_found("no site " + request.site_id);
  }
  KpiReport report{tenant->id, tenant->currency, 0, request.days, {}, {}};
  for (const auto* entry : sorted_entries(tenant->sites)) {
    if (!request.site_id.empty() && entry->first != request.site_id) continue;
    report.sites.push_back(site_figures(*tenant, entry->second, request));
    report.from_day = first_day(request, entry->second.zone);
    report.total.counters.add(report.sites.back().total.counters);
    report.total.scheduled_minutes += report.sites.back().total.scheduled_minutes;
  }
  finish_figures(report.total);
  return report;
}

void KpiView::encode_own(Encoder& out) const {
  out.u64(days_.size());
  for (const auto* site : sorted_entries(days_)) {
    out.str(site->first);
    out.u64(site->second.size());
    for (const auto& [day, counters] : site->second) {
      out.i64(day);
      for (auto field : kCounterFields) out.i64(counters.*field);
    }
  }
}

void KpiView::decode_own(Decoder& in) {
  for (std::size_t s = 0, sites = in.count(); s < sites && !in.failed(); ++s) {
    Days& days = days_[in.str()];
    for (std::size_t d = 0, count = in.count(); d < count && !in.failed(); ++d) {
      KpiCounters& counters = days[in.i64()];
      for (auto field : kCounterFields) counters.*field = in.i64();
    }
  }
  // decode_state() calls rebuild_indexes() whatever happened: the days it will sum, as they
  // stand (a repeated site or day replaces, a failed read leaves a part), must not overflow.
  // A state whose sums would is damaged, not a reason for undefined behaviour.
  for (const auto& [key, days] : days_) {
    KpiCounters total;
    for (const auto& [day, counters] : days) {
      for (auto field : kCounterFields) {
        if (__builtin_add_overflow(total.*field, counters.*field, &(total.*field))) {
          in.fail();
          days_.clear();
          return;
        }
      }
    }
  }
}

std::string kpis_json(const KpiReport& report) {
  JsonWriter json;
  json.begin_object()
      .field("tenant_id", report.tenant_id)
      .field("currency", report.currency)
      .field("from", format_date(report.from_day))
      .field("days", report.days);
  json.key("total").begin_object();
  write_figures(json, report.total);
  json.end_object().key("sites").begin_array();
  for (const SiteKpis& site : report.sites) {
    json.begin_object()
        .field("site_id", site.site_id)
        .field("site_name", site.site_name)
        .field("time_zone", site.time_zone)
        .key("total")
        .begin_object();
    write_figures(json, site.total);
    json.end_object().key("days").begin_array();
    for (const auto& [day, figures] : site.days) {
      json.begin_object().field("date", format_date(day));
      write_figures(json, figures);
      json.end_object();
    }
    json.end_array().end_object();
  }
  json.end_array().end_object();
  return json.take();
}

}  // namespace turno::projections
