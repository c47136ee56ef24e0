// Catalog commands: tenants, sites, services, staff, schedules, time off, policy.
#include <algorithm>
#include <set>

#include "decide_support.h"

namespace turno::decide_detail {
namespace {

bool valid_currency(std::string_view code) {
  return code.size() == 3 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

Decision register_tenant(const Model& model, const v1::Command& command,
                         const DecideContext& context) {
  if (!role_in(command.actor(), {v1::ROLE_PLATFORM})) return forbidden(command.actor());
  const v1::RegisterTenant& body = command.register_tenant();
  TURNO_REJECT_IF(check_text("name", body.name(), kNameBytesMax, true));
  if (!valid_currency(body.currency())) {
    return reject(RejectionCode::kValidation, "currency", "currency must be an ISO 4217 code");
  }
  TURNO_REJECT_IF(check_range("tax_rate_bp", body.tax_rate_bp(), 0, 10'000));
  TURNO_REJECT_IF(check_id("invoice_series", body.invoice_series(), true));
  TURNO_REJECT_IF(check_range("platform_fee_bp", body.platform_fee_bp(), 0, 10'000));
  TURNO_REJECT_IF(
      check_range("platform_fee_fixed_minor", body.platform_fee_fixed_minor(), 0, kPriceMinorMax));
  if (model.find_tenant(command.tenant_id()) != nullptr) {
    return reject(RejectionCode::kAlreadyExists, "tenant_id",
                  "tenant " + command.tenant_id() + " exists");
  }
  Emitter out(command, context);
  auto& event = *out.emit(tenant_stream(command.tenant_id()), 0, "").mutable_tenant_registered();
  event.set_name(body.name());
  event.set_currency(body.currency());
  event.set_tax_rate_bp(body.tax_rate_bp());
  event.set_invoice_series(body.invoice_series());
  event.set_platform_fee_bp(body.platform_fee_bp());
  event.set_platform_fee_fixed_minor(body.platform_fee_fixed_minor());
  // Every tenant starts with the default policy, recorded so the log says what applied.
  const Policy defaults;
  auto& policy = *out.emit(tenant_stream(command.tenant_id()), 0, "").mutable_policy_set();
  policy.set_hold_ttl_s(defaults.hold_ttl_s);
  policy.set_free_cancel_window_min(defaults.free_cancel_window_min);
  policy.set_late_cancel_refund_pct(defaults.late_cancel_refund_pct);
  policy.set_no_show_grace_min(defaults.no_show_grace_min);
  policy.set_min_notice_min(defaults.min_notice_min);
  policy.set_horizon_days(defaults.horizon_days);
  policy.set_prepayment_required(defaults.prepayment_required);
  policy.set_slot_step_min(defaults.slot_step_min);
  return out.done();
}

Decision open_site(const Tenant& tenant, const v1::Command& command, const DecideContext& context) {
  const v1::OpenSite& body = command.open_site();
  TURNO_REJECT_IF(check_id("site_id", body.site_id(), false));
  TURNO_REJECT_IF(check_text("name", body.name(), kNameBytesMax, true));
  TURNO_REJECT_IF(check_text("address", body.address(), kTextBytesMax, false));
  if (find_time_zone(body.time_zone()) == nullptr) {
    return reject(RejectionCode::kValidation, "time_zone",
                  "time_zone must be an IANA zone such as America/Lima");
  }
  if (!body.site_id().empty() && tenant.find_site(body.site_id()) != nullptr) {
    return reject(RejectionCode::kAlreadyExists, "site_id", "site " + body.site_id() + " exists");
  }
  const std::string site_id =
      body.site_id().empty()
          ? generate_id("site", context,
                        [&](const std::string& id) { return tenant.find_site(id); })
          : body.site_id();
  Emitter out(command, context);
  auto& event =
      *out.emit(entity_stream(tenant.id, "site", site_id), 0, site_id).mutable_site_opened();
  event.set_site_id(site_id);
  event.set_name(body.name());
  event.set_time_zone(body.time_zone());
  event.set_address(body.address());
  return out.done();
}

Decision define_service(const Tenant& tenant, const v1::Command& command,
                        const DecideContext& context) {
  const v1::DefineService& body = command.define_service();
  TURNO_REJECT_IF(check_id("service_id", body.service_id(), false));
  TURNO_REJECT_IF(check_text("name", body.name(), kNameBytesMax, true));
  TURNO_REJECT_IF(check_range("duration_min", body.duration_min(), 1, kDurationMinMax));
  TURNO_REJECT_IF(check_range("price_minor", body.price_minor(), 0, kPriceMinorMax));
  TURNO_REJECT_IF(check_id("required_skill", body.required_skill(), false));
  TURNO_REJECT_IF(check_range("buffer_before_min", body.buffer_before_min(), 0, kBufferMinMax));
  TURNO_REJECT_IF(check_range("buffer_after_min", body.buffer_after_min(), 0, kBufferMinMax));
  TURNO_REJECT_IF(check_range("follow_up_days", body.follow_up_days(), 0, 3 * 366));
  if (!body.service_id().empty() && tenant.find_service(body.service_id()) != nullptr) {
    return reject(RejectionCode::kAlreadyExists, "service_id",
                  "service " + body.service_id() + " exists");
  }
  const std::string service_id =
      body.service_id().empty()
          ? generate_id("svc", context,
                        [&](const std::string& id) { return tenant.find_service(id); })
          : body.service_id();
  Emitter out(command, context);
  auto& event =
      *out.emit(entity_stream(tenant.id, "service", service_id), 0, "").mutable_service_defined();
  event.set_service_id(service_id);
  event.set_name(body.name());
  event.set_duration_min(body.duration_min());
  event.set_price_minor(body.price_minor());
  event.set_currency(tenant.currency);
  event.set_required_skill(body.required_skill());
  event.set_buffer_before_min(body.buffer_before_min());
  event.set_buffer_after_min(body.buffer_after_min());
  event.set_follow_up_days(body.follow_up_days());
  return out.done();
}

Decision add_staff(const Tenant& tenant, const v1::Command& command, const DecideContext& context) {
  const v1::AddStaff& body = command.add_staff();
  TURNO_REJECT_IF(check_id("staff_id", body.staff_id(), false));
  TURNO_REJECT_IF(check_id("site_id", body.site_id(), true));
  TURNO_REJECT_IF(check_text("name", body.name(), kNameBytesMax, true));
  if (static_cast<std::size_t>(body.skills_size()) > kSkillsMax) {
    return reject(RejectionCode::kValidation, "skills", "at most 32 skills");
  }
  for (const std::string& skill : body.skills()) TURNO_REJECT_IF(check_id("skills", skill, true));
  const Site* site = tenant.find_site(body.site_id());
  if (site == nullptr) {
    return reject(RejectionCode::kUnknownId, "site_id", "no site " + body.site_id());
  }
  if (site->retired) {
    return reject(RejectionCode::kRetired, "site_id", "site " + site->id + " is retired");
  }
  if (!body.staff_id().empty() && tenant.find_staff(body.staff_id()) != nullptr) {
    return reject(RejectionCode::kAlreadyExists, "staff_id",
                  "staff member " + body.staff_id() + " exists");
  }
  const std::string staff_id =
      body.staff_id().empty()
          ? generate_id("staff", context,
                        [&](const std::string& id) { return tenant.find_staff(id); })
          : body.staff_id();
  const std::set<std::string> skills(body.skills().begin(), body.skills().end());
  Emitter out(command, context);
  auto& event = *out.emit(entity_stream(tenant.id, "staff", staff_id), 0, body.site_id())
                     .mutable_staff_joined();
  event.set_staff_id(staff_id);
  event.set_site_id(body.site_id());
  event.set_name(body.name());
  for (const std::string& skill : skills) event.add_skills(skill);
  return out.done();
}

Decision set_schedule(const Tenant& tenant, const v1::Command& command,
                      const DecideContext& context) {
  const v1::SetSchedule& body = command.set_schedule();
  TURNO_REJECT_IF(check_id("staff_id", body.staff_id(), true));
  const Staff* staff = tenant.find_staff(body.staff_id());
  if (staff == nullptr) {
    return reject(RejectionCode::kUnknownId, "staff_id", "no staff member " + body.staff_id());
  }
  if (static_cast<std::size_t>(body.intervals_size()) > kWeeklyIntervalsMax) {
    return reject(RejectionCode::kValidation, "intervals", "at most 56 weekly intervals");
  }
  std::vector<v1::WeeklyInterval> sorted(body.intervals().begin(), body.intervals().end());
  for (const v1::WeeklyInterval& interval : sorted) {
    TURNO_REJECT_IF(check_range("intervals.weekday", interval.weekday(), 1, 7));
    TURNO_REJECT_IF(check_range("intervals.start_min", interval.start_min(), 0, 1439));
    TURNO_REJECT_IF(
        check_range("intervals.end_min", interval.end_min(), interval.start_min() + 1, 1440));
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::pair(a.weekday(), a.start_min()) < std::pair(b.weekday(), b.start_min());
  });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].weekday() == sorted[i - 1].weekday() &&
        sorted[i].start_min() < sorted[i - 1].end_min()) {
      return reject(RejectionCode::kValidation, "intervals", "intervals of a day overlap");
    }
  }
  const Site* site = tenant.find_site(staff->site_id);
  VERIFY(site != nullptr, "staff work at a known site");
  Emitter out(command, context);
  auto& event =
      *out.emit(entity_stream(tenant.id, "staff", staff->id), staff->stream_version, staff->site_id)
           .mutable_schedule_set();
  event.set_staff_id(staff->id);
  event.set_time_zone(site->time_zone_name);
  for (const auto& interval : sorted) *event.add_intervals() = interval;
  return out.done();
}

Decision add_time_off(const Tenant& tenant, const v1::Command& command,
                      const DecideContext& context) {
  const v1::AddTimeOff& body = command.add_time_off();
  TURNO_REJECT_IF(check_id("staff_id", body.staff_id(), true));
  TURNO_REJECT_IF(check_id("time_off_id", body.time_off_id(), false));
  TURNO_REJECT_IF(check_range("start_ms", body.start_ms(), kInstantMsMin, kInstantMsMax));
  TURNO_REJECT_IF(
      check_range("end_ms", body.end_ms(), body.start_ms() + 1, body.start_ms() + kTimeOffMsMax));
  TURNO_REJECT_IF(check_text("reason", body.reason(), kTextBytesMax, false));
  const Staff* staff = tenant.find_staff(body.staff_id());
  if (staff == nullptr) {
    return reject(RejectionCode::kUnknownId, "staff_id", "no staff member " + body.staff_id());
  }
  if (!body.time_off_id().empty() && tenant.time_off_ids.contains(body.time_off_id())) {
    return reject(RejectionCode::kAlreadyExists, "time_off_id",
                  "time off " + body.time_off_id() + " exists");
  }
  const std::string time_off_id =
      body.time_off_id().empty()
          ? generate_id("off", context,
                        [&](const std::string& id) { return tenant.time_off_ids.contains(id); })
          : body.time_off_id();
  Emitter out(command, context);
  auto& event =
      *out.emit(entity_stream(tenant.id, "staff", staff->id), staff->stream_version, staff->site_id)
           .mutable_time_off_added();
  event.set_staff_id(staff->id);
  event.set_time_off_id(time_off_id);
  event.set_start_ms(body.start_ms());
  event.set_end_ms(body.end_ms());
  event.set_reason(body.reason());
  return out.done();
}

Decision set_policy(const Tenant& tenant, const v1::Command& command,
                    const DecideContext& context) {
  const v1::PolicySet& policy = command.set_policy().policy();
  TURNO_REJECT_IF(check_range("policy.hold_ttl_s", policy.hold_ttl_s(), 30, 24 * 3600));
  TURNO_REJECT_IF(check_range("policy.free_cancel_window_min", policy.free_cancel_window_min(), 0,
                              30 * 24 * 60));
  TURNO_REJECT_IF(
      check_range("policy.late_cancel_refund_pct", policy.late_cancel_refund_pct(), 0, 100));
  TURNO_REJECT_IF(check_range("policy.no_show_grace_min", policy.no_show_grace_min(), 0, 24 * 60));
  TURNO_REJECT_IF(check_range("policy.min_notice_min", policy.min_notice_min(), 0, 30 * 24 * 60));
  TURNO_REJECT_IF(check_range("policy.horizon_days", policy.horizon_days(), 1, 2 * 366));
  TURNO_REJECT_IF(check_range("policy.slot_step_min", policy.slot_step_min(), 5, 240));
  Emitter out(command, context);
  *out.emit(tenant_stream(tenant.id), tenant.stream_version, "").mutable_policy_set() = policy;
  return out.done();
}

}  // namespace

Decision decide_catalog(const Model& model, const v1::Command& command,
                        const DecideContext& context) {
  if (command.kind_case() == v1::Command::kRegisterTenant) {
    return register_tenant(model, command, context);
  }
  const bool profile = command.kind_case() == v1::Command::kUpdateStaffProfile;
  if (!profile && !role_in(command.actor(), {v1::ROLE_ADMIN, v1::ROLE_PLATFORM})) {
    return forbidden(command.actor());
  }
  const Tenant* tenant = model.find_tenant(command.tenant_id());
  if (tenant == nullptr) {
    return reject(RejectionCode::kUnknownId, "tenant_id", "no tenant " + command.tenant_id());
  }
  switch (command.kind_case()) {
    case v1::Command::kOpenSite:
      return open_site(*tenant, command, context);
    case v1::Command::kDefineService:
      return define_service(*tenant, command, context);
    case v1::Command::kAddStaff:
      return add_staff(*tenant, command, context);
    case v1::Command::kSetSchedule:
      return set_schedule(*tenant, command, context);
    case v1::Command::kAddTimeOff:
      return add_time_off(*tenant, command, context);
    case v1::Command::kSetPolicy:
      return set_policy(*tenant, command, context);
    default:
      return decide_directory(*tenant, command, context);
  }
}

}  // namespace turno::decide_detail
