#include "catalog_query.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace turno::projections {
namespace {

constexpr std::size_t kPageTokenBytesMax = 64;

Result<const TenantInfo*> tenant_of(const CatalogState& catalog, std::string_view tenant_id) {
  const TenantInfo* tenant = catalog.find_tenant(tenant_id);
  if (tenant == nullptr) return Status::not_found("no tenant " + std::string(tenant_id));
  return tenant;
}

Status check_page(const CatalogPageRequest& request) {
  if (request.limit < 1 || request.limit > kCatalogPageMax) {
    return Status::invalid_argument("limit must be 1 to " + std::to_string(kCatalogPageMax));
  }
  // A token is an id (1 to 64 of A-Z a-z 0-9 . _ -), the last of the previous page.
  const std::string& token = request.page_token;
  const bool well_formed =
      token.size() <= kPageTokenBytesMax && std::all_of(token.begin(), token.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
  if (!well_formed) return Status::invalid_argument("malformed page_token");
  return Status::ok();
}

// One page of `map`'s entries in id order, after the page token (the last id of the previous
// page), keeping those `keep` accepts, each turned into an item by `make`.
template <typename Item, typename Value, typename Keep, typename Make>
CatalogPage<Item> page_of(const StringMap<Value>& map, const CatalogPageRequest& request, Keep keep,
                          Make make) {
  CatalogPage<Item> page;
  std::string_view last_id;  // of the last item on the page
  for (const auto* entry : sorted_entries(map)) {
    if (!request.page_token.empty() && entry->first <= request.page_token) continue;
    if (!keep(entry->second)) continue;
    if (page.items.size() == static_cast<std::size_t>(request.limit)) {
      page.next_page_token = std::string(last_id);
      break;
    }
    page.items.push_back(make(entry->second));
    last_id = entry->first;
  }
  return page;
}

bool can_do(const StaffInfo& staff, const ServiceInfo& service) {
  return service.required_skill.empty() || staff.has_skill(service.required_skill);
}

StaffCard card_of(const TenantInfo& tenant, const StaffInfo& staff) {
  StaffCard card{staff.id,      staff.site_id,    staff.name, staff.skills,
                 staff.profile, staff.departed(), {}};
  if (staff.departed()) return card;
  for (const auto* entry : sorted_entries(tenant.services)) {
    const ServiceInfo& service = entry->second;
    if (!service.retired && can_do(staff, service))
      card.services.push_back({service.id, service.name});
  }
  return card;
}

// The skills of the site's staff who have not departed, and whether there is any such member.
struct SiteSkills {
  std::set<std::string, std::less<>> skills;
  bool staffed = false;

  bool offers(const ServiceInfo& service) const {
    return service.required_skill.empty() ? staffed : skills.contains(service.required_skill);
  }
};

SiteSkills skills_at(const TenantInfo& tenant, std::string_view site_id) {
  SiteSkills out;
  for (const std::string& id : tenant.staff_at(site_id)) {
    const StaffInfo* staff = tenant.find_staff(id);
    if (staff == nullptr || staff->departed()) continue;
    out.staffed = true;
    out.skills.insert(staff->skills.begin(), staff->skills.end());
  }
  return out;
}

}  // namespace

Result<CatalogPage<SiteInfo>> list_sites(const CatalogState& catalog,
                                         const SiteListRequest& request) {
  if (Status checked = check_page(request.page); !checked.is_ok()) return checked;
  Result<const TenantInfo*> tenant = tenant_of(catalog, request.page.tenant_id);
  if (!tenant.is_ok()) return tenant.status();
  return page_of<SiteInfo>(
      tenant.value()->sites, request.page,
      [&](const SiteInfo& site) { return request.page.include_retired || !site.retired; },
      [](const SiteInfo& site) { return site; });
}

Result<CatalogPage<ServiceInfo>> list_services(const CatalogState& catalog,
                                               const ServiceListRequest& request) {
  if (Status checked = check_page(request.page); !checked.is_ok()) return checked;
  Result<const TenantInfo*> found = tenant_of(catalog, request.page.tenant_id);
  if (!found.is_ok()) return found.status();
  const TenantInfo& tenant = *found.value();
  if (!request.site_id.empty() && tenant.find_site(request.site_id) == nullptr) {
    return Status::not_found("no site " + request.site_id);
  }
  const SiteSkills at_site = skills_at(tenant, request.site_id);
  auto keep = [&](const ServiceInfo& service) {
    return (request.page.include_retired || !service.retired) &&
           (request.skill.empty() || service.required_skill == request.skill) &&
           (request.site_id.empty() || at_site.offers(service));
  };
  return page_of<ServiceInfo>(tenant.services, request.page, keep,
                              [](const ServiceInfo& service) { return service; });
}

Result<CatalogPage<StaffCard>> list_staff(const CatalogState& catalog,
                                          const StaffListRequest& request) {
  if (Status checked = check_page(request.page); !checked.is_ok()) return checked;
  Result<const TenantInfo*> found = tenant_of(catalog, request.page.tenant_id);
  if (!found.is_ok()) return found.status();
  const TenantInfo& tenant = *found.value();
  if (!request.site_id.empty() && tenant.find_site(request.site_id) == nullptr) {
    return Status::not_found("no site " + request.site_id);
  }
  const ServiceInfo* service = nullptr;
  if (!request.service_id.empty()) {
    service = tenant.find_service(request.service_id);
    if (service == nullptr) return Status::not_found("no service " + request.service_id);
  }
  auto keep = [&](const StaffInfo& staff) {
    return (request.page.include_retired || !staff.departed()) &&
           (request.site_id.empty() || staff.site_id == request.site_id) &&
           (request.skill.empty() || staff.has_skill(request.skill)) &&
           (service == nullptr || can_do(staff, *service));
  };
  return page_of<StaffCard>(tenant.staff, request.page, keep,
                            [&](const StaffInfo& staff) { return card_of(tenant, staff); });
}

Result<SiteInfo> find_site(const CatalogState& catalog, std::string_view tenant_id,
                           std::string_view site_id) {
  Result<const TenantInfo*> tenant = tenant_of(catalog, tenant_id);
  if (!tenant.is_ok()) return tenant.status();
  const SiteInfo* site = tenant.value()->find_site(site_id);
  if (site == nullptr) return Status::not_found("no site " + std::string(site_id));
  return *site;
}

Result<ServiceInfo> find_service(const CatalogState& catalog, std::string_view tenant_id,
                                 std::string_view service_id) {
  Result<const TenantInfo*> tenant = tenant_of(catalog, tenant_id);
  if (!tenant.is_ok()) return tenant.status();
  const ServiceInfo* service = tenant.value()->find_service(service_id);
  if (service == nullptr) return Status::not_found("no service " + std::string(service_id));
  return *service;
}

Result<StaffCard> find_staff_card(const CatalogState& catalog, std::string_view tenant_id,
                                  std::string_view staff_id) {
  Result<const TenantInfo*> tenant = tenant_of(catalog, tenant_id);
  if (!tenant.is_ok()) return tenant.status();
  const StaffInfo* staff = tenant.value()->find_staff(staff_id);
  if (staff == nullptr) return Status::not_found("no staff member " + std::string(staff_id));
  return card_of(*tenant.value(), *staff);
}

}  // namespace turno::projections
