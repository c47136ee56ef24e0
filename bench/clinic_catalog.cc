#include "clinic_catalog.h"

#include "wave.h"

namespace turno::bench {

Status write_catalog(Writer& writer, const CatalogPlan& plan) {
  Wave wave(writer);
  for (const CatalogPlan::Tenant& tenant : plan.tenants) {
    v1::Command reg = shell(tenant.id, "reg", v1::ROLE_PLATFORM, "platform");
    auto& body = *reg.mutable_register_tenant();
    body.set_name(tenant.name);
    body.set_currency("PEN");
    body.set_tax_rate_bp(1800);
    body.set_invoice_series("F001");
    body.set_platform_fee_bp(300);
    wave.add(std::move(reg));
  }
  if (Status status = wave.run(); !status.is_ok()) return status;
  for (const CatalogPlan::Tenant& tenant : plan.tenants) {
    for (int s = 0; s < tenant.sites; ++s) {
      v1::Command site = shell(tenant.id, "site-" + std::to_string(s), v1::ROLE_ADMIN, "admin");
      site.mutable_open_site()->set_site_id("s" + std::to_string(s));
      site.mutable_open_site()->set_name("Site " + std::to_string(s));
      site.mutable_open_site()->set_time_zone("America/Lima");
      wave.add(std::move(site));
    }
    v1::Command service = shell(tenant.id, "svc", v1::ROLE_ADMIN, "admin");
    auto& definition = *service.mutable_define_service();
    definition.set_service_id("consult");
    definition.set_name("Consultation");
    definition.set_duration_min(30);
    definition.set_price_minor(kConsultPriceMinor);
    definition.set_required_skill("general");
    definition.set_buffer_after_min(5);
    wave.add(std::move(service));
  }
  if (Status status = wave.run(); !status.is_ok()) return status;
  for (const CatalogPlan::Staff& staff : plan.staff) {
    v1::Command join = shell(staff.tenant, "join-" + staff.id, v1::ROLE_ADMIN, "admin");
    join.mutable_add_staff()->set_staff_id(staff.id);
    join.mutable_add_staff()->set_site_id(staff.site);
    join.mutable_add_staff()->set_name("Dr. " + staff.id);
    join.mutable_add_staff()->add_skills("general");
    wave.add(std::move(join));
  }
  if (Status status = wave.run(); !status.is_ok()) return status;
  for (const CatalogPlan::Staff& staff : plan.staff) {
    v1::Command schedule = shell(staff.tenant, "sched-" + staff.id, v1::ROLE_ADMIN, "admin");
    schedule.mutable_set_schedule()->set_staff_id(staff.id);
    for (int weekday = 1; weekday <= plan.last_weekday; ++weekday) {
      auto& interval = *schedule.mutable_set_schedule()->add_intervals();
      interval.set_weekday(weekday);
      interval.set_start_min(9 * 60);
      interval.set_end_min(17 * 60);
    }
    wave.add(std::move(schedule));
  }
  return wave.run();
}

v1::Command payment_webhook(const std::string& tenant, const std::string& command_id,
                            const std::string& payment_id, const std::string& provider_event_id,
                            bool failed) {
  v1::Command out = shell(tenant, command_id, v1::ROLE_PLATFORM, "platform");
  if (failed) {
    auto& body = *out.mutable_record_payment_failed();
    body.set_payment_id(payment_id);
    body.set_provider("sandbox");
    body.set_provider_event_id(provider_event_id);
    body.set_reason("card_declined");
    return out;
  }
  auto& body = *out.mutable_record_payment_succeeded();
  body.set_payment_id(payment_id);
  body.set_provider("sandbox");
  body.set_provider_event_id(provider_event_id);
  body.set_amount_minor(kConsultPriceMinor);
  body.set_currency("PEN");
  return out;
}

}  // namespace turno::bench
