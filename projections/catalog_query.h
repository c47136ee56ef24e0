// Catalog reads: what a booking app lists before anyone books — sites, services with prices,
// the staff directory with profiles and the services each member can do — copied out of
// CatalogState as values (nothing points into the view afterwards), in pages ordered by id.
//
// Retired sites and services and departed staff members are left out of lists unless
// `include_retired` is set; looked up by id they are always found, marked retired/departed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog_state.h"
#include "status.h"

namespace turno::projections {

inline constexpr std::int32_t kCatalogPageMax = 200;
inline constexpr std::int32_t kCatalogPageDefault = 50;

// What every catalog list shares.
struct CatalogPageRequest {
  std::string tenant_id;
  std::string page_token;  // the previous page's next_page_token; empty for the first page
  std::int32_t limit = kCatalogPageDefault;  // 1..kCatalogPageMax
  bool include_retired = false;
};

struct SiteListRequest {
  CatalogPageRequest page;
};

struct ServiceListRequest {
  CatalogPageRequest page;
  // Services offered at this site: a staff member of the site who has not departed has the
  // service's required skill (any staff member, for a service without one). Empty: all.
  std::string site_id;
  std::string skill;  // services requiring exactly this skill; empty: all
};

struct StaffListRequest {
  CatalogPageRequest page;
  std::string site_id;     // empty: every site
  std::string skill;       // members with this skill; empty: any
  std::string service_id;  // members who can do this service; empty: any
};

struct ServiceRef {
  std::string id;
  std::string name;
};

// A staff member as the directory shows them.
struct StaffCard {
  std::string id;
  std::string site_id;
  std::string name;
  std::vector<std::string> skills;  // sorted
  StaffProfile profile;
  bool departed = false;
  // What they can be booked for now: the tenant's services that are not retired and whose
  // required skill they have, by id. Empty once they departed.
  std::vector<ServiceRef> services;
};

template <typename Item>
struct CatalogPage {
  std::vector<Item> items;
  std::string next_page_token;  // empty on the last page
};

// Each answers not_found for an unknown tenant or an unknown site/service named by a filter,
// invalid_argument for a limit out of range or a malformed page token.
Result<CatalogPage<SiteInfo>> list_sites(const CatalogState& catalog,
                                         const SiteListRequest& request);
Result<CatalogPage<ServiceInfo>> list_services(const CatalogState& catalog,
                                               const ServiceListRequest& request);
Result<CatalogPage<StaffCard>> list_staff(const CatalogState& catalog,
                                          const StaffListRequest& request);

// One by id, retired or not; not_found for an unknown tenant or id.
Result<SiteInfo> find_site(const CatalogState& catalog, std::string_view tenant_id,
                           std::string_view site_id);
Result<ServiceInfo> find_service(const CatalogState& catalog, std::string_view tenant_id,
                                 std::string_view service_id);
Result<StaffCard> find_staff_card(const CatalogState& catalog, std::string_view tenant_id,
                                  std::string_view staff_id);

// {"site_id", "name", "address", "time_zone", "retired"}
std::string site_json(const SiteInfo& site);
// {"service_id", "name", "duration_min", "price_minor", "currency", "required_skill",
//  "buffer_before_min", "buffer_after_min", "follow_up_days", "retired"}
std::string service_json(const ServiceInfo& service);
// {"staff_id", "site_id", "name", "skills", "specialty", "bio", "photo_url", "languages",
//  "departed", "services": [{"service_id", "name"}]}
std::string staff_json(const StaffCard& staff);
// {"items": [...as above...], "next_page_token": "..." | null}
std::string sites_json(const CatalogPage<SiteInfo>& page);
std::string services_json(const CatalogPage<ServiceInfo>& page);
std::string staff_page_json(const CatalogPage<StaffCard>& page);

}  // namespace turno::projections
