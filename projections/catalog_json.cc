// The catalog reads as JSON (catalog_query.h): one object per site, service or staff member,
// and pages of them.
#include "catalog_query.h"
#include "json.h"

namespace turno::projections {
namespace {

void write(JsonWriter& json, const SiteInfo& site) {
  json.begin_object()
      .field("site_id", site.id)
      .field("name", site.name)
      .field("address", site.address)
      .field("time_zone", site.time_zone)
      .field("retired", site.retired)
      .end_object();
}

void write(JsonWriter& json, const ServiceInfo& service) {
  json.begin_object()
      .field("service_id", service.id)
      .field("name", service.name)
      .field("duration_min", service.duration_min)
      .field("price_minor", service.price_minor)
      .field("currency", service.currency)
      .field("required_skill", service.required_skill)
      .field("buffer_before_min", service.buffer_before_min)
      .field("buffer_after_min", service.buffer_after_min)
      .field("follow_up_days", service.follow_up_days)
      .field("retired", service.retired)
      .end_object();
}

void write_strings(JsonWriter& json, std::string_view name, const std::vector<std::string>& list) {
  json.key(name).begin_array();
  for (const std::string& text : list) json.value(text);
  json.end_array();
}

void write(JsonWriter& json, const StaffCard& staff) {
  json.begin_object()
      .field("staff_id", staff.id)
      .field("site_id", staff.site_id)
      .field("name", staff.name);
  write_strings(json, "skills", staff.skills);
  json.field("specialty", staff.profile.specialty)
      .field("bio", staff.profile.bio)
      .field("photo_url", staff.profile.photo_url);
  write_strings(json, "languages", staff.profile.languages);
  json.field("departed", staff.departed).key("services").begin_array();
  for (const ServiceRef& service : staff.services) {
    json.begin_object().field("service_id", service.id).field("name", service.name).end_object();
  }
  json.end_array().end_object();
}

template <typename Item>
std::string one_json(const Item& item) {
  JsonWriter json;
  write(json, item);
  return json.take();
}

template <typename Item>
std::string page_json(const CatalogPage<Item>& page) {
  JsonWriter json;
  json.begin_object().key("items").begin_array();
  for (const Item& item : page.items) write(json, item);
  json.end_array().field_or_null("next_page_token", page.next_page_token).end_object();
  return json.take();
}

}  // namespace

std::string site_json(const SiteInfo& site) {
  return one_json(site);
}
std::string service_json(const ServiceInfo& service) {
  return one_json(service);
}
std::string staff_json(const StaffCard& staff) {
  return one_json(staff);
}
std::string sites_json(const CatalogPage<SiteInfo>& page) {
  return page_json(page);
}
std::string services_json(const CatalogPage<ServiceInfo>& page) {
  return page_json(page);
}
std::string staff_page_json(const CatalogPage<StaffCard>& page) {
  return page_json(page);
}

}  // namespace turno::projections
