// The catalog as the views see it: tenants (money rules, policy), sites (time zones),
// services, staff (skills, weekly schedules over time, time off). Every view that needs names,
// zones or schedules keeps one, so each view stays rebuildable on its own; views that stand
// at the same seq may share one (ViewCatalog) so that a process folds the catalog once.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codec.h"
#include "event_kinds.h"
#include "events.pb.h"
#include "interval_set.h"
#include "policy.h"
#include "string_map.h"
#include "time_zones.h"

namespace turno::projections {

// A tenant's booking rules (PolicySet): the engine's own struct, so the defaults that hold
// until the first PolicySet are the ones the writer applies.
using PolicyRules = turno::Policy;

struct SiteInfo {
  std::string id;
  std::string name;
  std::string time_zone;
  std::string address;
  const TimeZone* zone = nullptr;  // from time_zone; null only for a zone tzdata lacks
  bool retired = false;            // takes no new bookings
};

struct ServiceInfo {
  std::string id;
  std::string name;
  std::int32_t duration_min = 0;
  std::int64_t price_minor = 0;
  std::string currency;
  std::string required_skill;
  std::int32_t buffer_before_min = 0;
  std::int32_t buffer_after_min = 0;
  std::int32_t follow_up_days = 0;
  bool retired = false;  // takes no new bookings
};

// Local minutes [start_min, end_min) of one weekday; end_min may be 1440.
struct WorkingWindow {
  std::int32_t start_min = 0;
  std::int32_t end_min = 0;
};
// Index: ISO weekday 1..7; 0 unused.
using WeekSchedule = std::array<std::vector<WorkingWindow>, 8>;

// A ScheduleSet replaces the week from the moment it was recorded.
struct ScheduleVersion {
  std::int64_t effective_from_ms = 0;
  WeekSchedule week;
};

struct TimeOffInfo {
  std::string id;
  Interval interval;
  std::string reason;
};

// What a booking app shows about a staff member (StaffProfileUpdated).
struct StaffProfile {
  std::string specialty;
  std::string bio;
  std::string photo_url;
  std::vector<std::string> languages;
};

struct StaffInfo {
  std::string id;
  std::string site_id;
  std::string name;
  std::vector<std::string> skills;  // sorted
  StaffProfile profile;
  std::int64_t departed_at_ms = 0;         // 0: still there; else takes no new bookings since
  std::vector<ScheduleVersion> schedules;  // in the order set
  std::vector<TimeOffInfo> time_off;       // in the order added
  IntervalSet time_off_union;              // derived from time_off

  bool has_skill(std::string_view skill) const;
  bool departed() const { return departed_at_ms != 0; }
  // The week in force at `instant_ms` (the last one set at or before it), or null.
  const WeekSchedule* schedule_at(std::int64_t instant_ms) const;
  // The newest week, or null when none was ever set.
  const WeekSchedule* current_schedule() const;
};

struct TenantInfo {
  std::string id;
  std::string name;
  std::string currency;
  std::int32_t tax_rate_bp = 0;
  std::string invoice_series;
  std::int32_t platform_fee_bp = 0;
  std::int64_t platform_fee_fixed_minor = 0;
  PolicyRules policy;
  StringMap<SiteInfo> sites;
  StringMap<ServiceInfo> services;
  StringMap<StaffInfo> staff;
  StringMap<std::vector<std::string>> staff_by_site;  // derived; ids sorted

  const SiteInfo* find_site(std::string_view id) const;
  const ServiceInfo* find_service(std::string_view id) const;
  const StaffInfo* find_staff(std::string_view id) const;
  // The staff ids of a site, sorted; empty for an unknown site.
  const std::vector<std::string>& staff_at(std::string_view site_id) const;
};

class CatalogState {
 public:
  // Folds a catalog or directory event (is_catalog_event(), event_kinds.h) and returns true;
  // returns false and changes nothing for any other event.
  bool fold(const v1::Envelope& event);
  const TenantInfo* find_tenant(std::string_view id) const;
  const StringMap<TenantInfo>& tenants() const { return tenants_; }
  // The site's zone, or null when the tenant or site is unknown.
  const TimeZone* zone_of(std::string_view tenant_id, std::string_view site_id) const;

  void encode(Encoder& out) const;
  void decode(Decoder& in);
  void clear() { tenants_.clear(); }

 private:
  void fold_tenant_event(TenantInfo& tenant, const v1::Envelope& event);
  void fold_directory_event(TenantInfo& tenant, const v1::Envelope& event);
  StringMap<TenantInfo> tenants_;
};

// A view's catalog: its own, or one it shares with other views that folded the same events
// (shared_fold.h), which their caller folds once for all of them. A view that folds an event
// alone copies a shared catalog before changing it (copy on write), so the others never see
// an event they were not given. One thread applies a view at a time; views sharing a catalog
// may read and copy it concurrently, never while it is folded.
class ViewCatalog {
 public:
  ViewCatalog() : state_(std::make_shared<CatalogState>()) {}

  const CatalogState& get() const { return *state_; }
  // From now on this view reads `shared`, which the caller folds for it.
  void share(std::shared_ptr<CatalogState> shared) { state_ = std::move(shared); }
  // The catalog this view reads, to share with others that folded the same events.
  const std::shared_ptr<CatalogState>& shared() const { return state_; }

  // CatalogState::fold() for this view alone: a shared catalog is copied first if the event
  // changes it.
  bool fold_alone(const v1::Envelope& event);
  void encode(Encoder& out) const { state_->encode(out); }
  // Decodes into a catalog of this view's own; one it shared is left to the others as it was.
  void decode(Decoder& in);
  // An empty catalog of this view's own.
  void clear() { state_ = std::make_shared<CatalogState>(); }

 private:
  std::shared_ptr<CatalogState> state_;  // never null
};

}  // namespace turno::projections
