#include "catalog_state.h"

#include <algorithm>

namespace turno::projections {
namespace {

const std::vector<std::string>& no_staff() {
  static const std::vector<std::string> empty;
  return empty;
}

void apply_policy(PolicyRules& policy, const v1::PolicySet& event) {
  policy.hold_ttl_s = event.hold_ttl_s();
  policy.free_cancel_window_min = event.free_cancel_window_min();
  policy.late_cancel_refund_pct = event.late_cancel_refund_pct();
  policy.no_show_grace_min = event.no_show_grace_min();
  policy.min_notice_min = event.min_notice_min();
  policy.horizon_days = event.horizon_days();
  policy.prepayment_required = event.prepayment_required();
  policy.slot_step_min = event.slot_step_min();
}

WeekSchedule week_of(const v1::ScheduleSet& event) {
  WeekSchedule week;
  for (const auto& interval : event.intervals()) {
    if (interval.weekday() < 1 || interval.weekday() > 7) continue;
    week[static_cast<std::size_t>(interval.weekday())].push_back(
        WorkingWindow{interval.start_min(), interval.end_min()});
  }
  for (auto& day : week) {
    std::sort(day.begin(), day.end(),
              [](const auto& a, const auto& b) { return a.start_min < b.start_min; });
  }
  return week;
}

void index_staff(TenantInfo& tenant, const StaffInfo& staff) {
  auto& at_site = tenant.staff_by_site[staff.site_id];
  auto it = std::lower_bound(at_site.begin(), at_site.end(), staff.id);
  if (it == at_site.end() || *it != staff.id) at_site.insert(it, staff.id);
}

// ------------------------------------------------------------------------------ encoding

void encode_policy(Encoder& out, const PolicyRules& policy) {
  out.i64(policy.hold_ttl_s);
  out.i64(policy.free_cancel_window_min);
  out.i64(policy.late_cancel_refund_pct);
  out.i64(policy.no_show_grace_min);
  out.i64(policy.min_notice_min);
  out.i64(policy.horizon_days);
  out.boolean(policy.prepayment_required);
  out.i64(policy.slot_step_min);
}

PolicyRules decode_policy(Decoder& in) {
  PolicyRules policy;
  policy.hold_ttl_s = in.i32();
  policy.free_cancel_window_min = in.i32();
  policy.late_cancel_refund_pct = in.i32();
  policy.no_show_grace_min = in.i32();
  policy.min_notice_min = in.i32();
  policy.horizon_days = in.i32();
  policy.prepayment_required = in.boolean();
  policy.slot_step_min = in.i32();
  return policy;
}

void encode_week(Encoder& out, const WeekSchedule& week) {
  for (std::size_t day = 1; day <= 7; ++day) {
    out.u64(week[day].size());
    for (const auto& window : week[day]) {
      out.i64(window.start_min);
      out.i64(window.end_min);
    }
  }
}

WeekSchedule decode_week(Decoder& in) {
  WeekSchedule week;
  for (std::size_t day = 1; day <= 7; ++day) {
    const std::size_t windows = in.count();
    for (std::size_t i = 0; i < windows; ++i) {
      const std::int32_t start = in.i32();
      week[day].push_back(WorkingWindow{start, in.i32()});
    }
  }
  return week;
}

void encode_strings(Encoder& out, const std::vector<std::string>& strings) {
  out.u64(strings.size());
  for (const auto& text : strings) out.str(text);
}

std::vector<std::string> decode_strings(Decoder& in) {
  std::vector<std::string> strings;
  for (std::size_t i = 0, n = in.count(); i < n; ++i) strings.push_back(in.str());
  return strings;
}

void encode_staff(Encoder& out, const StaffInfo& staff) {
  out.str(staff.id);
  out.str(staff.site_id);
  out.str(staff.name);
  encode_strings(out, staff.skills);
  out.str(staff.profile.specialty);
  out.str(staff.profile.bio);
  out.str(staff.profile.photo_url);
  encode_strings(out, staff.profile.languages);
  out.i64(staff.departed_at_ms);
  out.u64(staff.schedules.size());
  for (const auto& version : staff.schedules) {
    out.i64(version.effective_from_ms);
    encode_week(out, version.week);
  }
  out.u64(staff.time_off.size());
  for (const auto& off : staff.time_off) {
    out.str(off.id);
    out.i64(off.interval.start_ms);
    out.i64(off.interval.end_ms);
    out.str(off.reason);
  }
}

StaffInfo decode_staff(Decoder& in) {
  StaffInfo staff;
  staff.id = in.str();
  staff.site_id = in.str();
  staff.name = in.str();
  staff.skills = decode_strings(in);
  staff.profile.specialty = in.str();
  staff.profile.bio = in.str();
  staff.profile.photo_url = in.str();
  staff.profile.languages = decode_strings(in);
  staff.departed_at_ms = in.i64();
  for (std::size_t i = 0, n = in.count(); i < n; ++i) {
    ScheduleVersion version;
    version.effective_from_ms = in.i64();
    version.week = decode_week(in);
    staff.schedules.push_back(std::move(version));
  }
  for (std::size_t i = 0, n = in.count(); i < n; ++i) {
    TimeOffInfo off;
    off.id = in.str();
    off.interval.start_ms = in.i64();
    off.interval.end_ms = in.i64();
    off.reason = in.str();
    staff.time_off_union.add(off.interval);
    staff.time_off.push_back(std::move(off));
  }
  return staff;
}

void encode_tenant(Encoder& out, const TenantInfo& tenant) {
  out.str(tenant.id);
  out.str(tenant.name);
  out.str(tenant.currency);
  out.i64(tenant.tax_rate_bp);
  out.str(tenant.invoice_series);
  out.i64(tenant.platform_fee_bp);
  out.i64(tenant.platform_fee_fixed_minor);
  encode_policy(out, tenant.policy);
  out.u64(tenant.sites.size());
  for (const auto* entry : sorted_entries(tenant.sites)) {
    const SiteInfo& site = entry->second;
    out.str(site.id);
    out.str(site.name);
    out.str(site.time_zone);
    out.str(site.address);
    out.boolean(site.retired);
  }
  out.u64(tenant.services.size());
  for (const auto* entry : sorted_entries(tenant.services)) {
    const ServiceInfo& service = entry->second;
    out.str(service.id);
    out.str(service.name);
    out.i64(service.duration_min);
    out.i64(service.price_minor);
    out.str(service.currency);
    out.str(service.required_skill);
    out.i64(service.buffer_before_min);
    out.i64(service.buffer_after_min);
    out.i64(service.follow_up_days);
    out.boolean(service.retired);
  }
  out.u64(tenant.staff.size());
  for (const auto* entry : sorted_entries(tenant.staff)) encode_staff(out, entry->second);
}

TenantInfo decode_tenant(Decoder& in) {
  TenantInfo tenant;
  tenant.id = in.str();
  tenant.name = in.str();
  tenant.currency = in.str();
  tenant.tax_rate_bp = in.i32();
  tenant.invoice_series = in.str();
  tenant.platform_fee_bp = in.i32();
  tenant.platform_fee_fixed_minor = in.i64();
  tenant.policy = decode_policy(in);
  for (std::size_t i = 0, n = in.count(); i < n; ++i) {
    SiteInfo site;
    site.id = in.str();
    site.name = in.str();
    site.time_zone = in.str();
    site.address = in.str();
    site.retired = in.boolean();
    site.zone = find_time_zone(site.time_zone);
    tenant.sites[site.id] = std::move(site);
  }
  for (std::size_t i = 0, n = in.count(); i < n; ++i) {
    ServiceInfo service;
    service.id = in.str();
    service.name = in.str();
    service.duration_min = in.i32();
    service.price_minor = in.i64();
    service.currency = in.str();
    service.required_skill = in.str();
    service.buffer_before_min = in.i32();
    service.buffer_after_min = in.i32();
    service.follow_up_days = in.i32();
    service.retired = in.boolean();
    tenant.services[service.id] = std::move(service);
  }
  for (std::size_t i = 0, n = in.count(); i < n; ++i) {
    StaffInfo staff = decode_staff(in);
    index_staff(tenant, staff);
    tenant.staff[staff.id] = std::move(staff);
  }
  return tenant;
}

}  // namespace

bool StaffInfo::has_skill(std::string_view skill) const {
  return std::binary_search(skills.begin(), skills.end(), skill);
}

const WeekSchedule* StaffInfo::schedule_at(std::int64_t instant_ms) const {
  const WeekSchedule* found = nullptr;
  for (const auto& version : schedules) {
    if (version.effective_from_ms > instant_ms) break;
    found = &version.week;
  }
  return found;
}

const WeekSchedule* StaffInfo::current_schedule() const {
  return schedules.empty() ? nullptr : &schedules.back().week;
}

const SiteInfo* TenantInfo::find_site(std::string_view site_id) const {
  return find_in(sites, site_id);
}
const ServiceInfo* TenantInfo::find_service(std::string_view service_id) const {
  return find_in(services, service_id);
}
const StaffInfo* TenantInfo::find_staff(std::string_view staff_id) const {
  return find_in(staff, staff_id);
}
const std::vector<std::string>& TenantInfo::staff_at(std::string_view site_id) const {
  const auto* ids = find_in(staff_by_site, site_id);
  return ids ? *ids : no_staff();
}

bool CatalogState::fold(const v1::Envelope& event) {
  if (!is_catalog_event(event)) return false;
  if (event.has_tenant_registered()) {
    const auto& body = event.tenant_registered();
    TenantInfo& tenant = tenants_[event.tenant_id()];
    tenant.id = event.tenant_id();
    tenant.name = body.name();
    tenant.currency = body.currency();
    tenant.tax_rate_bp = body.tax_rate_bp();
    tenant.invoice_series = body.invoice_series();
    tenant.platform_fee_bp = body.platform_fee_bp();
    tenant.platform_fee_fixed_minor = body.platform_fee_fixed_minor();
    return true;
  }
  auto it = tenants_.find(event.tenant_id());
  if (it != tenants_.end()) fold_tenant_event(it->second, event);
  return true;
}

void CatalogState::fold_tenant_event(TenantInfo& tenant, const v1::Envelope& event) {
  switch (event.event_case()) {
    case v1::Envelope::kPolicySet:
      apply_policy(tenant.policy, event.policy_set());
      break;
    case v1::Envelope::kSiteOpened: {
      const auto& body = event.site_opened();
      SiteInfo& site = tenant.sites[body.site_id()];
      site = SiteInfo{body.site_id(),
                      body.name(),
                      body.time_zone(),
                      body.address(),
                      find_time_zone(body.time_zone()),
                      false};
      break;
    }
    case v1::Envelope::kServiceDefined: {
      const auto& body = event.service_defined();
      tenant.services[body.service_id()] =
          ServiceInfo{body.service_id(),        body.name(),
                      body.duration_min(),      body.price_minor(),
                      body.currency(),          body.required_skill(),
                      body.buffer_before_min(), body.buffer_after_min(),
                      body.follow_up_days(),    false};
      break;
    }
    case v1::Envelope::kStaffJoined: {
      const auto& body = event.staff_joined();
      StaffInfo& staff = tenant.staff[body.staff_id()];
      staff.id = body.staff_id();
      staff.site_id = body.site_id();
      staff.name = body.name();
      staff.skills.assign(body.skills().begin(), body.skills().end());
      std::sort(staff.skills.begin(), staff.skills.end());
      index_staff(tenant, staff);
      break;
    }
    case v1::Envelope::kScheduleSet: {
      StaffInfo* staff = find_in(tenant.staff, event.schedule_set().staff_id());
      if (staff == nullptr) break;
      staff->schedules.push_back({event.recorded_at_ms(), week_of(event.schedule_set())});
      break;
    }
    case v1::Envelope::kTimeOffAdded: {
      const auto& body = event.time_off_added();
      StaffInfo* staff = find_in(tenant.staff, body.staff_id());
      if (staff == nullptr) break;
      const Interval interval{body.start_ms(), body.end_ms()};
      staff->time_off.push_back(TimeOffInfo{body.time_off_id(), interval, body.reason()});
      staff->time_off_union.add(interval);
      break;
    }
    default:
      fold_directory_event(tenant, event);
      break;
  }
}

void CatalogState::fold_directory_event(TenantInfo& tenant, const v1::Envelope& event) {
  switch (event.event_case()) {
    case v1::Envelope::kStaffProfileUpdated: {
      const auto& body = event.staff_profile_updated();
      if (StaffInfo* staff = find_in(tenant.staff, body.staff_id())) {
        staff->profile = StaffProfile{body.specialty(),
                                      body.bio(),
                                      body.photo_url(),
                                      {body.languages().begin(), body.languages().end()}};
      }
      break;
    }
    case v1::Envelope::kSiteUpdated:
      if (SiteInfo* site = find_in(tenant.sites, event.site_updated().site_id())) {
        site->name = event.site_updated().name();
        site->address = event.site_updated().address();
      }
      break;
    case v1::Envelope::kSiteRetired:
      if (SiteInfo* site = find_in(tenant.sites, event.site_retired().site_id())) {
        site->retired = true;
      }
      break;
    case v1::Envelope::kServiceUpdated: {
      const auto& body = event.service_updated();
      if (ServiceInfo* service = find_in(tenant.services, body.service_id())) {
        const std::string currency = body.currency().empty() ? service->currency : body.currency();
        *service = ServiceInfo{body.service_id(),
                               body.name(),
                               body.duration_min(),
                               body.price_minor(),
                               currency,
                               body.required_skill(),
                               body.buffer_before_min(),
                               body.buffer_after_min(),
                               body.follow_up_days(),
                               service->retired};
      }
      break;
    }
    case v1::Envelope::kServiceRetired:
      if (ServiceInfo* service = find_in(tenant.services, event.service_retired().service_id())) {
        service->retired = true;
      }
      break;
    case v1::Envelope::kStaffDeparted:
      if (StaffInfo* staff = find_in(tenant.staff, event.staff_departed().staff_id())) {
        staff->departed_at_ms = std::max<std::int64_t>(event.recorded_at_ms(), 1);
      }
      break;
    default:
      break;
  }
}

const TenantInfo* CatalogState::find_tenant(std::string_view id) const {
  return find_in(tenants_, id);
}

const TimeZone* CatalogState::zone_of(std::string_view tenant_id, std::string_view site_id) const {
  const TenantInfo* tenant = find_tenant(tenant_id);
  const SiteInfo* site = tenant ? tenant->find_site(site_id) : nullptr;
  return site ? site->zone : nullptr;
}

void CatalogState::encode(Encoder& out) const {
  out.u64(tenants_.size());
  for (const auto* entry : sorted_entries(tenants_)) encode_tenant(out, entry->second);
}

void CatalogState::decode(Decoder& in) {
  clear();
  for (std::size_t i = 0, n = in.count(); i < n && !in.failed(); ++i) {
    TenantInfo tenant = decode_tenant(in);
    tenants_[tenant.id] = std::move(tenant);
  }
}

bool ViewCatalog::fold_alone(const v1::Envelope& event) {
  if (!is_catalog_event(event)) return false;
  if (state_.use_count() > 1) state_ = std::make_shared<CatalogState>(*state_);
  return state_->fold(event);
}

void ViewCatalog::decode(Decoder& in) {
  clear();
  state_->decode(in);
}

}  // namespace turno::projections
