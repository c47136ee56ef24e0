// The KPI view: per site and local day, what happened (holds, bookings, confirmations,
// cancellations by whom, no-shows, completions), the money (gross, refunds, platform fees,
// net) and how well the time was used (utilisation, lead time, hold-to-paid conversion);
// summed over a range, and all sites of a tenant side by side.
//
// Which day a figure belongs to (the site's local calendar):
//  * activity counters and money: the day the event was recorded;
//  * booked minutes (utilisation): the appointment's day, for bookings confirmed, checked in,
//    completed or marked no-show (sold time), moved along when a booking is rescheduled;
//  * lead time and hold-to-paid conversion: the day the slot was held (a later payment
//    counts toward the day of its hold);
//  * scheduled minutes: computed at query time from the weekly schedule in force at the end
//    of that day, minus time off.
// Ratios are integers: basis points (utilisation_bp, conversion_bp) and whole minutes.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "booking_fold_view.h"

namespace turno::projections {

inline constexpr std::int32_t kKpiDaysMax = 366;

struct KpiCounters {
  std::int64_t holds = 0;
  std::int64_t bookings = 0;  // holds turned into bookings (their first payment request)
  std::int64_t confirmed = 0;
  std::int64_t cancelled_by_client = 0;
  std::int64_t cancelled_by_staff = 0;
  std::int64_t cancelled_by_admin = 0;
  std::int64_t cancelled_by_system = 0;
  std::int64_t no_shows = 0;
  std::int64_t completed = 0;
  std::int64_t gross_minor = 0;          // payments succeeded
  std::int64_t refunds_minor = 0;        // refunds issued
  std::int64_t platform_fees_minor = 0;  // the platform's share of the payments succeeded
  std::int64_t booked_minutes = 0;       // sold appointment time on its day
  std::int64_t lead_time_min_sum = 0;    // over the day's holds: start - hold time
  std::int64_t holds_paid = 0;           // the day's holds that were paid (at any later time)

  void add(const KpiCounters& other);
};

struct KpiFigures {
  KpiCounters counters;
  std::int64_t scheduled_minutes = 0;
  std::int64_t net_minor = 0;           // gross - refunds - platform fees
  std::int64_t utilisation_bp = 0;      // booked / scheduled minutes, basis points
  std::int64_t mean_lead_time_min = 0;  // lead_time_min_sum / holds
  std::int64_t conversion_bp = 0;       // holds_paid / holds, basis points
};

struct KpiRequest {
  std::string tenant_id;
  std::string site_id;  // empty: every site of the tenant, side by side
  // Local date, in each site's zone; none: `days` days up to and including today there.
  std::optional<std::int64_t> from_day;
  std::int32_t days = 1;    // 1..kKpiDaysMax
  bool per_day = true;      // include each day's figures, not only the totals
  std::int64_t now_ms = 0;  // what "today" is when from_day is not given
};

struct SiteKpis {
  std::string site_id;
  std::string site_name;
  std::string time_zone;
  std::vector<std::pair<std::int64_t, KpiFigures>> days;  // (local day, figures)
  KpiFigures total;
};

struct KpiReport {
  std::string tenant_id;
  std::string currency;
  std::int64_t from_day = 0;
  std::int32_t days = 0;
  std::vector<SiteKpis> sites;  // by site id
  KpiFigures total;             // all sites together
};

class KpiView final : public BookingFoldView {
 public:
  std::string_view name() const override { return "kpis"; }

  // not_found for an unknown tenant or site; invalid_argument for a bad range.
  Result<KpiReport> query(const KpiRequest& request) const;
  // Prometheus text (kpi_metrics.cc): each site's running totals since the log began, labelled
  // tenant and site — turno_kpi_holds_total, _bookings_total, _confirmed_total,
  // _cancelled_total{by}, _no_shows_total, _completed_total, _gross_minor_total{currency},
  // _refunds_minor_total{currency}.
  std::string metrics_text() const;

 protected:
  void on_booking(const BookingChange& change, const v1::Envelope& event) override;
  void encode_own(Encoder& out) const override;
  void decode_own(Decoder& in) override;
  void rebuild_indexes() override;
  void clear_own() override {
    days_.clear();
    totals_.clear();
  }

 private:
  using Days = std::map<std::int64_t, KpiCounters>;  // local day -> counters
  KpiCounters& counters(const BookingRecord& booking, std::int64_t instant_ms);
  void count_event(const BookingChange& change, const v1::Envelope& event);
  void count_booked_minutes(const BookingChange& change);
  SiteKpis site_figures(const TenantInfo& tenant, const SiteInfo& site,
                        const KpiRequest& request) const;

  StringMap<Days> days_;           // tenant_key(tenant, site) -> days
  StringMap<KpiCounters> totals_;  // derived: tenant_key(tenant, site) -> every day summed
};

// Fills the derived figures (net, ratios) from the counters and scheduled minutes.
void finish_figures(KpiFigures& figures);
// Working minutes of a staff member on a local day, minus time off.
std::int64_t scheduled_minutes(const StaffInfo& staff, const TimeZone& zone, std::int64_t day);

// {"tenant_id", "currency", "from", "days", "total": {...},
//  "sites": [{"site_id", "site_name", "total": {...}, "days": [{"date", ...figures}]}]}
std::string kpis_json(const KpiReport& report);

}  // namespace turno::projections
