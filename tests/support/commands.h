// Builders for commands, so tests read as the story they tell.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <tuple>

#include "commands.pb.h"

namespace turno::testing {

inline v1::Actor actor(v1::Role role, std::string id, std::string site = {},
                       std::string staff = {}) {
  v1::Actor out;
  out.set_id(std::move(id));
  out.set_role(role);
  out.set_site_id(std::move(site));
  out.set_staff_id(std::move(staff));
  return out;
}
inline v1::Actor platform() {
  return actor(v1::ROLE_PLATFORM, "platform");
}
inline v1::Actor admin() {
  return actor(v1::ROLE_ADMIN, "admin-1");
}
inline v1::Actor client(std::string id) {
  return actor(v1::ROLE_CLIENT, std::move(id));
}
inline v1::Actor staff(std::string id, std::string site) {
  return actor(v1::ROLE_STAFF, id, std::move(site), id);
}

// A command shell: tenant, idempotency key, actor. Fill its `kind` with the setters below.
inline v1::Command command(const std::string& tenant, const std::string& command_id,
                           const v1::Actor& by) {
  v1::Command out;
  out.set_tenant_id(tenant);
  out.set_command_id(command_id);
  *out.mutable_actor() = by;
  return out;
}

inline v1::Command register_tenant(const std::string& tenant, const std::string& id,
                                   std::int32_t tax_bp = 1800, std::int32_t fee_bp = 300) {
  v1::Command out = command(tenant, id, platform());
  auto& body = *out.mutable_register_tenant();
  body.set_name("Clinic " + tenant);
  body.set_currency("PEN");
  body.set_tax_rate_bp(tax_bp);
  body.set_invoice_series("F001");
  body.set_platform_fee_bp(fee_bp);
  return out;
}

inline v1::Command open_site(const std::string& tenant, const std::string& id,
                             const std::string& site, const std::string& zone) {
  v1::Command out = command(tenant, id, admin());
  auto& body = *out.mutable_open_site();
  body.set_site_id(site);
  body.set_name("Site " + site);
  body.set_time_zone(zone);
  return out;
}

inline v1::Command define_service(const std::string& tenant, const std::string& id,
                                  const std::string& service, std::int32_t duration_min,
                                  std::int64_t price_minor, const std::string& skill,
                                  std::int32_t buffer_before = 0, std::int32_t buffer_after = 0) {
  v1::Command out = command(tenant, id, admin());
  auto& body = *out.mutable_define_service();
  body.set_service_id(service);
  body.set_name("Service " + service);
  body.set_duration_min(duration_min);
  body.set_price_minor(price_minor);
  body.set_required_skill(skill);
  body.set_buffer_before_min(buffer_before);
  body.set_buffer_after_min(buffer_after);
  return out;
}

inline v1::Command add_staff(const std::string& tenant, const std::string& id,
                             const std::string& staff_id, const std::string& site,
                             std::initializer_list<std::string> skills) {
  v1::Command out = command(tenant, id, admin());
  auto& body = *out.mutable_add_staff();
  body.set_staff_id(staff_id);
  body.set_site_id(site);
  body.set_name("Dr. " + staff_id);
  for (const auto& skill : skills) body.add_skills(skill);
  return out;
}

// Same hours every weekday in `weekdays` (ISO numbers).
inline v1::Command set_schedule(const std::string& tenant, const std::string& id,
                                const std::string& staff_id,
                                std::initializer_list<std::int32_t> weekdays,
                                std::int32_t start_min, std::int32_t end_min) {
  v1::Command out = command(tenant, id, admin());
  auto& body = *out.mutable_set_schedule();
  body.set_staff_id(staff_id);
  for (std::int32_t weekday : weekdays) {
    auto& interval = *body.add_intervals();
    interval.set_weekday(weekday);
    interval.set_start_min(start_min);
    interval.set_end_min(end_min);
  }
  return out;
}

inline v1::Command add_time_off(const std::string& tenant, const std::string& id,
                                const std::string& staff_id, std::int64_t start_ms,
                                std::int64_t end_ms) {
  v1::Command out = command(tenant, id, admin());
  auto& body = *out.mutable_add_time_off();
  body.set_staff_id(staff_id);
  body.set_start_ms(start_ms);
  body.set_end_ms(end_ms);
  body.set_reason("vacation");
  return out;
}

inline v1::Command set_policy(const std::string& tenant, const std::string& id,
                              const v1::PolicySet& policy) {
  v1::Command out = command(tenant, id, admin());
  *out.mutable_set_policy()->mutable_policy() = policy;
  return out;
}

inline v1::Command hold(const std::string& tenant, const std::string& id, const v1::Actor& by,
                        const std::string& site, const std::string& service,
                        const std::string& staff_id, std::int64_t start_ms,
                        const std::string& booking_id = {}) {
  v1::Command out = command(tenant, id, by);
  auto& body = *out.mutable_hold_slot();
  body.set_booking_id(booking_id);
  body.set_site_id(site);
  body.set_service_id(service);
  body.set_staff_id(staff_id);
  if (by.role() != v1::ROLE_CLIENT) body.set_client_id("client-walk-in");
  body.set_start_ms(start_ms);
  return out;
}

inline v1::Command request_payment(const std::string& tenant, const std::string& id,
                                   const v1::Actor& by, const std::string& booking,
                                   const std::string& payment_id = {}) {
  v1::Command out = command(tenant, id, by);
  auto& body = *out.mutable_request_payment();
  body.set_booking_id(booking);
  body.set_provider("sandbox");
  body.set_payment_id(payment_id);
  return out;
}

inline v1::Command payment_succeeded(const std::string& tenant, const std::string& id,
                                     const std::string& payment, std::int64_t amount,
                                     const std::string& event_id) {
  v1::Command out = command(tenant, id, platform());
  auto& body = *out.mutable_record_payment_succeeded();
  body.set_payment_id(payment);
  body.set_provider("sandbox");
  body.set_provider_event_id(event_id);
  body.set_amount_minor(amount);
  body.set_currency("PEN");
  return out;
}

inline v1::Command payment_failed(const std::string& tenant, const std::string& id,
                                  const std::string& payment, const std::string& event_id) {
  v1::Command out = command(tenant, id, platform());
  auto& body = *out.mutable_record_payment_failed();
  body.set_payment_id(payment);
  body.set_provider("sandbox");
  body.set_provider_event_id(event_id);
  body.set_reason("card_declined");
  return out;
}

inline v1::Command cancel(const std::string& tenant, const std::string& id, const v1::Actor& by,
                          const std::string& booking) {
  v1::Command out = command(tenant, id, by);
  out.mutable_cancel_booking()->set_booking_id(booking);
  out.mutable_cancel_booking()->set_reason("test");
  return out;
}

inline v1::Command refund(const std::string& tenant, const std::string& id,
                          const std::string& booking, std::int64_t amount) {
  v1::Command out = command(tenant, id, admin());
  out.mutable_issue_refund()->set_booking_id(booking);
  out.mutable_issue_refund()->set_amount_minor(amount);
  return out;
}

inline v1::Command reschedule(const std::string& tenant, const std::string& id, const v1::Actor& by,
                              const std::string& booking, std::int64_t start_ms,
                              const std::string& staff_id = {}) {
  v1::Command out = command(tenant, id, by);
  out.mutable_reschedule_booking()->set_booking_id(booking);
  out.mutable_reschedule_booking()->set_start_ms(start_ms);
  out.mutable_reschedule_booking()->set_staff_id(staff_id);
  return out;
}

template <typename Setter>
v1::Command booking_step(const std::string& tenant, const std::string& id, const v1::Actor& by,
                         Setter set) {
  v1::Command out = command(tenant, id, by);
  set(out);
  return out;
}

}  // namespace turno::testing
