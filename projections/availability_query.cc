// The availability view's queries: free slots, reassignment alternatives, and their JSON.
#include <algorithm>
#include <bit>
#include <cstdlib>
#include <limits>
#include <optional>
#include <tuple>

#include "availability_view.h"
#include "json.h"

namespace turno::projections {
namespace {

constexpr std::int32_t kMinutesPerDay = 24 * 60;
constexpr std::int32_t kDefaultSlotStepMin = 15;

// The slot grid of a local day within [earliest_ms, latest_ms]: multiples of `step_min` local
// minutes from midnight, strictly increasing (a DST gap may map two grid times to one).
void grid_of(const TimeZone& zone, const DayFrame& frame, std::int32_t step_min,
             std::int64_t earliest_ms, std::int64_t latest_ms, std::vector<std::int64_t>& out) {
  out.clear();
  std::int64_t previous = std::numeric_limits<std::int64_t>::min();
  for (std::int32_t minute = 0; minute < kMinutesPerDay; minute += step_min) {
    const std::int64_t start = instant_at(zone, frame, minute);
    if (start <= previous) continue;
    previous = start;
    if (start >= earliest_ms && start <= latest_ms) out.push_back(start);
  }
}

// Present, not departed, and with the skill (when one is asked for).
bool can_take_new_bookings(const StaffInfo* staff, const std::string& skill) {
  return staff != nullptr && !staff->departed() && (skill.empty() || staff->has_skill(skill));
}

std::int32_t step_of(const PolicyRules& policy) {
  return policy.slot_step_min > 0 ? policy.slot_step_min : kDefaultSlotStepMin;
}

// The first blocked entry that may overlap an appointment whose blocked time starts at `from`.
template <typename Entries>
auto first_blocking(const Entries& blocked, std::int64_t from) {
  auto it =
      std::upper_bound(blocked.begin(), blocked.end(), from,
                       [](std::int64_t at, const auto& entry) { return at < entry.start_ms; });
  if (it != blocked.begin() && std::prev(it)->end_ms > from) --it;
  return it;
}

// One slot per grid time with any staff free, naming them (bits of its row, in order).
void append_slots(const std::vector<std::int64_t>& starts, const std::vector<std::uint64_t>& rows,
                  std::size_t words, std::int64_t duration_ms, Availability& out) {
  for (std::size_t g = 0; g < starts.size(); ++g) {
    Slot slot{starts[g], starts[g] + duration_ms, static_cast<std::uint32_t>(out.slot_staff.size()),
              0};
    for (std::size_t w = 0; w < words; ++w) {
      for (std::uint64_t bits = rows[g * words + w]; bits != 0; bits &= bits - 1) {
        out.slot_staff.push_back(static_cast<std::uint16_t>(w * 64 + std::countr_zero(bits)));
        ++slot.staff_count;
      }
    }
    if (slot.staff_count > 0) out.slots.push_back(slot);
  }
}

}  // namespace

void AvailabilityView::free_starts(const StaffInfo& staff, const StaffIndex* index,
                                   const TimeZone& zone, const DayFrame& frame,
                                   const SlotShape& shape, const std::vector<std::int64_t>& starts,
                                   std::uint64_t* rows, std::size_t words, std::size_t bit,
                                   std::vector<Interval>& scratch) const {
  const std::uint64_t mask = std::uint64_t{1} << (bit % 64);
  const std::vector<Interval>& pieces = pieces_of(staff, index, zone, frame, scratch);
  static const std::vector<Blocked> kNothingBlocked;
  const auto& blocked = index != nullptr ? index->blocked : kNothingBlocked;
  auto start = starts.begin();
  for (const Interval& piece : pieces) {
    start = std::lower_bound(start, starts.end(), piece.start_ms);
    if (start == starts.end()) return;
    // Blocked intervals never overlap, so sorted by start they are sorted by end too: one
    // forward walk serves the whole piece.
    auto entry = first_blocking(blocked, *start - shape.before_ms);
    for (; start != starts.end() && *start + shape.duration_ms <= piece.end_ms; ++start) {
      const std::int64_t from = *start - shape.before_ms;
      const std::int64_t to = *start + shape.duration_ms + shape.after_ms;
      while (entry != blocked.end() && entry->end_ms <= from) ++entry;
      if (entry == blocked.end() || entry->start_ms >= to) {
        rows[static_cast<std::size_t>(start - starts.begin()) * words + bit / 64] |= mask;
      }
    }
  }
}

Result<Availability> AvailabilityView::query(const AvailabilityRequest& request) const {
  if (request.days < 1 || request.days > kAvailabilityDaysMax) {
    return Status::invalid_argument("days must be 1 to " + std::to_string(kAvailabilityDaysMax));
  }
  const TenantInfo* tenant = catalog().find_tenant(request.tenant_id);
  const SiteInfo* site = tenant ? tenant->find_site(request.site_id) : nullptr;
  if (site == nullptr || site->zone == nullptr) {
    return Status::not_found("no site " + request.site_id);
  }
  Availability out;
  out.tenant_id = request.tenant_id;
  out.site_id = site->id;
  out.time_zone = site->time_zone;
  out.zone = site->zone;
  out.step_min = step_of(tenant->policy);
  out.from_day = request.from_day.value_or(to_local(*site->zone, request.now_ms).days_since_epoch);
  out.days = request.days;
  SlotShape shape;
  if (!request.service_id.empty()) {
    const ServiceInfo* service = tenant->find_service(request.service_id);
    if (service == nullptr) return Status::not_found("no service " + request.service_id);
    out.service_id = service->id;
    out.skill = service->required_skill;
    out.duration_min = service->duration_min;
    shape = {service->duration_min * kMsPerMinute, service->buffer_before_min * kMsPerMinute,
             service->buffer_after_min * kMsPerMinute};
  } else if (!request.skill.empty()) {
    out.skill = request.skill;
    out.duration_min = request.duration_min > 0 ? request.duration_min : out.step_min;
    if (out.duration_min > kMinutesPerDay) {
      return Status::invalid_argument("duration_min must be at most 1440");
    }
    shape = {out.duration_min * kMsPerMinute, 0, 0};
  } else {
    return Status::invalid_argument("give a service_id or a skill");
  }

  // A retired site or service takes no new bookings: no slots, an empty answer.
  if (site->retired || (!out.service_id.empty() && tenant->find_service(out.service_id)->retired)) {
    return out;
  }
  std::vector<const StaffInfo*> candidates;
  std::vector<const StaffIndex*> indexes;
  for (const std::string& staff_id : tenant->staff_at(site->id)) {
    if (!request.staff_id.empty() && staff_id != request.staff_id) continue;
    const StaffInfo* staff = tenant->find_staff(staff_id);
    if (!can_take_new_bookings(staff, out.skill)) continue;
    candidates.push_back(staff);
    indexes.push_back(index_of(tenant->id, staff_id));
    out.staff_ids.push_back(staff_id);
  }
  if (!request.staff_id.empty() && tenant->find_staff(request.staff_id) == nullptr) {
    return Status::not_found("no staff member " + request.staff_id);
  }

  const std::int64_t earliest_ms = request.now_ms + tenant->policy.min_notice_min * kMsPerMinute;
  const std::int64_t latest_ms = request.now_ms + tenant->policy.horizon_days * kMsPerDay;
  const std::size_t words = (candidates.size() + 63) / 64;
  std::vector<std::int64_t> starts;
  std::vector<std::uint64_t> rows;               // per grid time, a bit per candidate free then
  constexpr std::size_t kSlotsPerDayGuess = 48;  // reserve once instead of growing
  out.slots.reserve(static_cast<std::size_t>(out.days) * kSlotsPerDayGuess);
  out.slot_staff.reserve(out.slots.capacity() * std::min<std::size_t>(candidates.size(), 16));
  std::vector<Interval> scratch;
  for (std::int64_t day = out.from_day; day < out.from_day + out.days; ++day) {
    const DayFrame frame = frame_of(*site->zone, day);
    if (frame.end_ms <= earliest_ms || frame.start_ms > latest_ms) continue;
    grid_of(*site->zone, frame, out.step_min, earliest_ms, latest_ms, starts);
    if (starts.empty()) continue;
    rows.assign(starts.size() * words, 0);
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      free_starts(*candidates[c], indexes[c], *site->zone, frame, shape, starts, rows.data(), words,
                  c, scratch);
    }
    append_slots(starts, rows, words, shape.duration_ms, out);
  }
  return out;
}

Result<Alternatives> AvailabilityView::alternatives(const AlternativesRequest& request) const {
  if (request.limit < 1 || request.limit > kAlternativesMax) {
    return Status::invalid_argument("limit must be 1 to " + std::to_string(kAlternativesMax));
  }
  const BookingRecord* booking = bookings().find(request.tenant_id, request.booking_id);
  const TenantInfo* tenant = catalog().find_tenant(request.tenant_id);
  const SiteInfo* site = booking && tenant ? tenant->find_site(booking->site_id) : nullptr;
  if (site == nullptr || site->zone == nullptr) {
    return Status::not_found("no booking " + request.booking_id);
  }
  const ServiceInfo* service = tenant->find_service(booking->service_id);
  const std::string skill = service ? service->required_skill : std::string();
  Alternatives out{tenant->id,
                   booking->id,
                   site->id,
                   booking->service_id.str(),
                   booking->staff_id.str(),
                   booking->client_id.str(),
                   site->time_zone,
                   site->zone,
                   booking->start_ms,
                   booking->end_ms,
                   booking->state,
                   {}};
  const SlotShape shape{booking->end_ms - booking->start_ms,
                        booking->buffer_before_min * kMsPerMinute,
                        booking->buffer_after_min * kMsPerMinute};
  const DayFrame frame =
      frame_of(*site->zone, to_local(*site->zone, booking->start_ms).days_since_epoch);
  const std::int64_t earliest_ms = request.now_ms + tenant->policy.min_notice_min * kMsPerMinute;
  const std::int64_t latest_ms = request.now_ms + tenant->policy.horizon_days * kMsPerDay;
  if (site->retired) return out;
  std::vector<std::int64_t> starts;
  grid_of(*site->zone, frame, step_of(tenant->policy), earliest_ms, latest_ms, starts);
  if (booking->start_ms >= earliest_ms && booking->start_ms <= latest_ms) {
    auto at = std::lower_bound(starts.begin(), starts.end(), booking->start_ms);
    if (at == starts.end() || *at != booking->start_ms) starts.insert(at, booking->start_ms);
  }
  std::vector<std::uint64_t> free;  // one word per start: bit 0 set when free
  std::vector<Interval> scratch;
  for (const std::string& staff_id : tenant->staff_at(site->id)) {
    const StaffInfo* staff = tenant->find_staff(staff_id);
    if (staff_id == booking->staff_id || !can_take_new_bookings(staff, skill)) continue;
    free.assign(starts.size(), 0);
    free_starts(*staff, index_of(tenant->id, staff_id), *site->zone, frame, shape, starts,
                free.data(), 1, 0, scratch);
    std::optional<std::size_t> before, after;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      if (free[i] == 0) continue;
      if (starts[i] == booking->start_ms) {
        before.reset();
        after = i;
        break;
      }
      if (starts[i] < booking->start_ms) before = i;
      if (starts[i] > booking->start_ms && !after) after = i;
    }
    for (const auto& pick : {before, after}) {
      if (!pick) continue;
      const std::int64_t start = starts[*pick];
      const std::int64_t distance_ms = std::abs(start - booking->start_ms);
      out.options.push_back(Alternative{staff_id, staff->name, start, start + shape.duration_ms,
                                        distance_ms == 0, distance_ms / kMsPerMinute});
    }
  }
  std::sort(out.options.begin(), out.options.end(), [](const auto& a, const auto& b) {
    return std::tie(a.distance_min, a.start_ms, a.staff_id) <
           std::tie(b.distance_min, b.start_ms, b.staff_id);
  });
  if (out.options.size() > static_cast<std::size_t>(request.limit)) {
    out.options.resize(static_cast<std::size_t>(request.limit));
  }
  return out;
}

std::string availability_json(const Availability& availability) {
  JsonWriter json;
  json.begin_object()
      .field("site_id", availability.site_id)
      .field("time_zone", availability.time_zone)
      .field("service_id", availability.service_id)
      .field("skill", availability.skill)
      .field("duration_min", availability.duration_min)
      .field("step_min", availability.step_min)
      .field("from", format_date(availability.from_day))
      .field("days", availability.days);
  json.key("slots").begin_array();
  for (const Slot& slot : availability.slots) {
    json.begin_object()
        .field("start", format_local(*availability.zone, slot.start_ms))
        .field("end", format_local(*availability.zone, slot.end_ms));
    json.key("staff").begin_array();
    for (std::uint32_t i = 0; i < slot.staff_count; ++i) {
      json.value(availability.staff_ids[availability.slot_staff[slot.first_staff + i]]);
    }
    json.end_array().end_object();
  }
  json.end_array().end_object();
  return json.take();
}

std::string alternatives_json(const Alternatives& alternatives) {
  JsonWriter json;
  json.begin_object()
      .field("booking_id", alternatives.booking_id)
      .field("site_id", alternatives.site_id)
      .field("service_id", alternatives.service_id)
      .field("staff_id", alternatives.staff_id)
      .field("status", to_string(alternatives.state))
      .field("start", format_local(*alternatives.zone, alternatives.start_ms))
      .field("end", format_local(*alternatives.zone, alternatives.end_ms));
  json.key("alternatives").begin_array();
  for (const Alternative& option : alternatives.options) {
    json.begin_object()
        .field("staff_id", option.staff_id)
        .field("staff_name", option.staff_name)
        .field("start", format_local(*alternatives.zone, option.start_ms))
        .field("end", format_local(*alternatives.zone, option.end_ms))
        .field("same_time", option.same_time)
        .field("distance_min", option.distance_min)
        .end_object();
  }
  json.end_array().end_object();
  return json.take();
}

}  // namespace turno::projections
