// The agenda view: each staff member's bookings in start order, with status and client, by
// local day in the site's zone; rendered as JSON or as an iCalendar feed (ical.h).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "booking_fold_view.h"

namespace turno::projections {

// The longest range one agenda query covers (a year: enough for a calendar feed).
inline constexpr std::int32_t kAgendaDaysMax = 366;

struct AgendaRequest {
  std::string tenant_id;
  std::string staff_id;
  // Local date (days since 1970-01-01) in the staff member's site zone; none: the site's today.
  std::optional<std::int64_t> from_day;
  std::int32_t days = 7;          // 1..kAgendaDaysMax
  bool include_cancelled = true;  // cancelled and no-show bookings too (expired holds never)
  std::int64_t now_ms = 0;        // what "today" is when from_day is not given
};

struct AgendaEntry {
  std::string booking_id;
  std::string client_id;
  std::string patient;
  std::string service_id;
  std::string service_name;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  BookingStatus state = BookingStatus::kHeld;
  std::int64_t price_minor = 0;
  std::string currency;
  std::int64_t updated_at_ms = 0;
};

struct Agenda {
  std::string tenant_id;
  std::string staff_id;
  std::string staff_name;
  std::string site_id;
  std::string site_name;
  std::string time_zone;
  const TimeZone* zone = nullptr;
  std::int64_t from_day = 0;
  std::int32_t days = 0;
  std::vector<AgendaEntry> entries;  // by start, then booking id
};

class AgendaView final : public BookingFoldView {
 public:
  std::string_view name() const override { return "agenda"; }

  // The staff member's bookings starting in [from_day, from_day + days) local. not_found for
  // an unknown tenant or staff member; invalid_argument for a range outside 1..kAgendaDaysMax.
  Result<Agenda> query(const AgendaRequest& request) const;

 protected:
  void on_booking(const BookingChange& change, const v1::Envelope& event) override;
  void rebuild_indexes() override;
  void clear_own() override { by_staff_.clear(); }

 private:
  using Slots = std::set<std::pair<std::int64_t, std::string>>;  // (start, booking id)

  StringMap<Slots> by_staff_;  // derived: tenant_key(tenant, staff) -> its bookings
};

// {"tenant_id", "staff_id", "staff_name", "site_id", "time_zone", "from", "days",
//  "dates": [{"date", "bookings": [{"booking_id", "status", "start", "end", ...}]}]}
std::string agenda_json(const Agenda& agenda);

}  // namespace turno::projections
