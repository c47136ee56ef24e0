#include "catalog_view.h"

#include "json.h"

namespace turno::projections {

Result<CatalogListing> CatalogView::listing(std::string_view tenant_id,
                                            std::string_view site_id) const {
  const TenantInfo* tenant = catalog_.find_tenant(tenant_id);
  if (tenant == nullptr) return Status::not_found("no tenant " + std::string(tenant_id));
  CatalogListing out{tenant->id, tenant->name, tenant->currency, {}, {}, {}};
  for (const auto* site : sorted_entries(tenant->sites)) out.sites.push_back(site->second);
  for (const auto* service : sorted_entries(tenant->services)) {
    out.services.push_back(service->second);
  }
  for (const auto* staff : sorted_entries(tenant->staff)) {
    if (site_id.empty() || staff->second.site_id == site_id) out.staff.push_back(staff->second);
  }
  return out;
}

std::string catalog_json(const CatalogListing& listing) {
  JsonWriter json;
  json.begin_object()
      .field("tenant_id", listing.tenant_id)
      .field("name", listing.tenant_name)
      .field("currency", listing.currency);
  json.key("sites").begin_array();
  for (const SiteInfo& site : listing.sites) {
    json.begin_object()
        .field("site_id", site.id)
        .field("name", site.name)
        .field("time_zone", site.time_zone)
        .field("address", site.address)
        .field("retired", site.retired)
        .end_object();
  }
  json.end_array().key("services").begin_array();
  for (const ServiceInfo& service : listing.services) {
    json.begin_object()
        .field("service_id", service.id)
        .field("name", service.name)
        .field("duration_min", service.duration_min)
        .field("price_minor", service.price_minor)
        .field("currency", service.currency)
        .field("required_skill", service.required_skill)
        .field("buffer_before_min", service.buffer_before_min)
        .field("buffer_after_min", service.buffer_after_min)
        .field("retired", service.retired)
        .end_object();
  }
  json.end_array().key("staff").begin_array();
  for (const StaffInfo& staff : listing.staff) {
    json.begin_object()
        .field("staff_id", staff.id)
        .field("site_id", staff.site_id)
        .field("name", staff.name)
        .field("specialty", staff.profile.specialty)
        .field("bio", staff.profile.bio)
        .field("photo_url", staff.profile.photo_url)
        .field("departed", staff.departed());
    json.key("skills").begin_array();
    for (const auto& skill : staff.skills) json.value(skill);
    json.end_array().key("languages").begin_array();
    for (const auto& language : staff.profile.languages) json.value(language);
    json.end_array().end_object();
  }
  json.end_array().end_object();
  return json.take();
}

}  // namespace turno::projections
