// The directory a booking app reads (projections/catalog_query.h, served by the catalog view so
// query nodes answer it too): sites, services with prices, staff with profiles and the services
// they can do, each listed in pages by id or found by id. Any user of the tenant may read it.
// Lists leave retired sites and services and departed staff out unless
// `include_retired=true`; by id they are found with `retired` / `departed` set.
#include "route_groups.h"
#include "view_call.h"

namespace turno::api {
namespace {

// The paging and retirement parameters every list takes.
std::optional<Problem> read_page(const ViewParams& params, const Call& call,
                                 projections::CatalogPageRequest& page) {
  page.tenant_id = call.who().tenant;
  page.page_token = params.text("page_token");
  if (auto problem = params.count("limit", projections::kCatalogPageMax, page.limit))
    return problem;
  return params.flag("include_retired", page.include_retired);
}

void list_sites(Call& call) {
  const projections::QuerySide* side = views_of(call);
  if (side == nullptr) return;
  auto parsed = ViewParams::of(call, {"page_token", "limit", "include_retired"});
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  projections::SiteListRequest request;
  if (answered(call, {read_page(std::get<ViewParams>(parsed), call, request.page)})) return;
  auto found = side->sites(request);
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  call.respond(json_response(http::status::ok, projections::sites_json(found.value())));
}

void list_services(Call& call) {
  const projections::QuerySide* side = views_of(call);
  if (side == nullptr) return;
  auto parsed =
      ViewParams::of(call, {"page_token", "limit", "include_retired", "site_id", "skill"});
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  const ViewParams& params = std::get<ViewParams>(parsed);
  projections::ServiceListRequest request;
  if (answered(call, {read_page(params, call, request.page)})) return;
  request.site_id = params.text("site_id");
  request.skill = params.text("skill");
  auto found = side->services(request);
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  call.respond(json_response(http::status::ok, projections::services_json(found.value())));
}

void list_staff(Call& call) {
  const projections::QuerySide* side = views_of(call);
  if (side == nullptr) return;
  auto parsed = ViewParams::of(
      call, {"page_token", "limit", "include_retired", "site_id", "skill", "service_id"});
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  const ViewParams& params = std::get<ViewParams>(parsed);
  projections::StaffListRequest request;
  if (answered(call, {read_page(params, call, request.page)})) return;
  request.site_id = params.text("site_id");
  request.skill = params.text("skill");
  request.service_id = params.text("service_id");
  auto found = side->staff(request);
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  call.respond(json_response(http::status::ok, projections::staff_page_json(found.value())));
}

// GET .../{id}: no query parameters; another tenant's id is as unknown as a missing one.
template <auto Find, auto Render>
void one(Call& call) {
  const projections::QuerySide* side = views_of(call);
  if (side == nullptr) return;
  auto parsed = ViewParams::of(call, {});
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  auto found = (side->*Find)(call.who().tenant, call.param("id"));
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  call.respond(json_response(http::status::ok, Render(found.value())));
}

}  // namespace

void add_directory_read_routes(RouteTable& table) {
  using projections::QuerySide;
  const RoleSet tenant_users =
      roles({v1::ROLE_CLIENT, v1::ROLE_STAFF, v1::ROLE_ADMIN, v1::ROLE_AUDITOR});
  table.add({http::verb::get, "/v1/sites", tenant_users, list_sites});
  table.add({http::verb::get, "/v1/sites/{id}", tenant_users,
             one<&QuerySide::site, projections::site_json>});
  table.add({http::verb::get, "/v1/services", tenant_users, list_services});
  table.add({http::verb::get, "/v1/services/{id}", tenant_users,
             one<&QuerySide::service, projections::service_json>});
  table.add({http::verb::get, "/v1/staff", tenant_users, list_staff});
  table.add({http::verb::get, "/v1/staff/{id}", tenant_users,
             one<&QuerySide::staff_member, projections::staff_json>});
}

}  // namespace turno::api
