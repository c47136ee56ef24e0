#include "model.h"

#include <algorithm>

namespace turno {

bool Staff::has_skill(std::string_view skill) const {
  return std::binary_search(skills.begin(), skills.end(), skill);
}

const Site* Tenant::find_site(std::string_view site_id) const {
  return find_in(sites, site_id);
}
const Service* Tenant::find_service(std::string_view service_id) const {
  return find_in(services, service_id);
}
const Staff* Tenant::find_staff(std::string_view staff_id) const {
  return find_in(staff, staff_id);
}
const Booking* Tenant::find_booking(std::string_view booking_id) const {
  return find_in(bookings, booking_id);
}
const Booking* Tenant::find_booking_of_payment(std::string_view payment_id) const {
  const PaymentEntry* entry = find_in(payments, payment_id);
  return entry == nullptr ? nullptr : find_booking(entry->booking_id);
}
const PaymentState* Tenant::find_payment(std::string_view payment_id) const {
  const Booking* booking = find_booking_of_payment(payment_id);
  return booking == nullptr ? nullptr : booking->find_payment(payment_id);
}

bool Tenant::booking_id_taken(std::string_view booking_id) const {
  return find_booking(booking_id) != nullptr || reserved_ids.contains(booking_id);
}
bool Tenant::payment_id_taken(std::string_view payment_id) const {
  return payments.contains(payment_id) || reserved_ids.contains(payment_id);
}
bool Tenant::refund_id_taken(std::string_view refund_id) const {
  return refund_ids.contains(refund_id) || reserved_ids.contains(refund_id);
}

bool Tenant::provider_event_seen(std::string_view key) const {
  return provider_events.contains(key) || reserved_ids.contains(key);
}

const Tenant* Model::find_tenant(std::string_view tenant_id) const {
  return find_in(tenants, tenant_id);
}
Tenant* Model::find_tenant(std::string_view tenant_id) {
  return find_in(tenants, tenant_id);
}

}  // namespace turno
