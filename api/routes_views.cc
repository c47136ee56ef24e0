// The read views over HTTP (projections/query_side.h): agendas (JSON and iCalendar),
// availability, reassignment alternatives, KPIs, invoices (JSON and PDF) and client history.
// Handlers only parse the query string, check who may see what, and render what the view
// answers; a node without read views (`--role command`) answers 503.
#include <fmt/format.h>

#include "api.h"
#include "field_bounds.h"
#include "ical.h"
#include "local_time.h"
#include "route_groups.h"
#include "view_call.h"

namespace turno::api {
namespace {

using projections::QuerySide;

constexpr std::int32_t kAgendaDaysDefault = 7;
constexpr std::int32_t kCalendarPastDays = 30;      // an agenda.ics feed starts this far back
constexpr std::int32_t kCalendarDaysDefault = 120;  // and covers this many days
constexpr std::int32_t kAvailabilityDaysDefault = 7;
constexpr std::int32_t kKpiDaysDefault = 7;
constexpr std::int32_t kAlternativesDefault = 10;
constexpr std::int32_t kInvoicePageDefault = 50;
constexpr std::int32_t kClientPageDefault = 20;
constexpr std::string_view kCalendarType = "text/calendar; charset=utf-8";
constexpr std::string_view kPdfType = "application/pdf";

// Staff see their own site's data; admins their whole tenant.
bool sees_site(const Principal& who, std::string_view site_id) {
  return who.role != v1::ROLE_STAFF || who.site == site_id;
}

// ------------------------------------------------------------------------------- agendas

void agenda(Call& call, bool calendar) {
  const QuerySide* side = views_of(call);
  if (side == nullptr) return;
  auto parsed = ViewParams::of(call, {"from", "days", "include_cancelled"});
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  const ViewParams& params = std::get<ViewParams>(parsed);
  projections::AgendaRequest request;
  request.tenant_id = call.who().tenant;
  request.staff_id = std::string(call.param("id"));
  request.days = calendar ? kCalendarDaysDefault : kAgendaDaysDefault;
  request.now_ms = call.api.clock().now_ms() - (calendar ? kCalendarPastDays * kMsPerDay : 0);
  if (answered(call, {params.day("from", request.from_day),
                      params.count("days", projections::kAgendaDaysMax, request.days),
                      params.flag("include_cancelled", request.include_cancelled)})) {
    return;
  }
  Result<projections::Agenda> found = side->agenda(request);
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  if (!sees_site(call.who(), found.value().site_id)) {
    return call.respond(not_found("staff member", request.staff_id));
  }
  if (calendar) {
    return call.respond(
        make_response(http::status::ok, kCalendarType, projections::agenda_ics(found.value())));
  }
  call.respond(json_response(http::status::ok, projections::agenda_json(found.value())));
}

void agenda_json_route(Call& call) {
  agenda(call, false);
}
void agenda_ics_route(Call& call) {
  agenda(call, true);
}

// -------------------------------------------------------------------- availability, options

void availability(Call& call) {
  const QuerySide* side = views_of(call);
  if (side == nullptr) return;
  auto parsed = ViewParams::of(
      call, {"site_id", "service_id", "skill", "duration_min", "staff_id", "from", "days"});
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  const ViewParams& params = std::get<ViewParams>(parsed);
  projections::AvailabilityRequest request;
  request.tenant_id = call.who().tenant;
  request.site_id = params.text("site_id");
  request.service_id = params.text("service_id");
  request.skill = params.text("skill");
  request.staff_id = params.text("staff_id");
  request.days = kAvailabilityDaysDefault;
  request.now_ms = call.api.clock().now_ms();
  if (answered(call, {params.day("from", request.from_day),
                      params.count("days", projections::kAvailabilityDaysMax, request.days),
                      params.count("duration_min", kDurationMinMax, request.duration_min)})) {
    return;
  }
  if (request.site_id.empty()) {
    return call.respond(
        make_problem(http::status::bad_request, "validation", "site_id is required", "site_id"));
  }
  Result<projections::Availability> found = side->availability(request);
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  call.respond(json_response(http::status::ok, projections::availability_json(found.value())));
}

void alternatives(Call& call) {
  const QuerySide* side = views_of(call);
  if (side == nullptr) return;
  auto parsed = ViewParams::of(call, {"limit"});
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  projections::AlternativesRequest request{call.who().tenant, std::string(call.param("id")),
                                           call.api.clock().now_ms(), kAlternativesDefault};
  if (answered(call, {std::get<ViewParams>(parsed).count("limit", projections::kAlternativesMax,
                                                         request.limit)})) {
    return;
  }
  Result<projections::Alternatives> found = side->alternatives(request);
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  const Principal& who = call.who();
  const bool visible = sees_site(who, found.value().site_id) &&
                       (who.role != v1::ROLE_CLIENT || who.subject == found.value().client_id);
  if (!visible) return call.respond(not_found("booking", request.booking_id));
  call.respond(json_response(http::status::ok, projections::alternatives_json(found.value())));
}

// ----------------------------------------------------------------------------------- KPIs

void kpis(Call& call, std::string site_id) {
  const QuerySide* side = views_of(call);
  if (side == nullptr) return;
  auto parsed = ViewParams::of(call, {"from", "days", "per_day"});
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  const ViewParams& params = std::get<ViewParams>(parsed);
  projections::KpiRequest request;
  request.tenant_id = call.who().tenant;
  request.site_id = std::move(site_id);
  request.days = kKpiDaysDefault;
  request.per_day = !request.site_id.empty();
  request.now_ms = call.api.clock().now_ms();
  if (answered(call, {params.day("from", request.from_day),
                      params.count("days", projections::kKpiDaysMax, request.days),
                      params.flag("per_day", request.per_day)})) {
    return;
  }
  Result<projections::KpiReport> found = side->kpis(request);
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  call.respond(json_response(http::status::ok, projections::kpis_json(found.value())));
}

void site_kpis(Call& call) {
  kpis(call, std::string(call.param("id")));
}
void tenant_kpis(Call& call) {
  kpis(call, {});
}

// ------------------------------------------------------------------------------- invoices

void invoice_list(Call& call) {
  const QuerySide* side = views_of(call);
  if (side == nullptr) return;
  auto parsed = ViewParams::of(call, {"client_id", "booking_id", "page_token", "limit"});
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  const ViewParams& params = std::get<ViewParams>(parsed);
  projections::InvoiceListRequest request{call.who().tenant, params.text("client_id"),
                                          params.text("booking_id"), params.text("page_token"),
                                          kInvoicePageDefault};
  if (answered(call, {params.count("limit", projections::kInvoicePageMax, request.limit)})) {
    return;
  }
  if (call.who().role == v1::ROLE_CLIENT) request.client_id = call.who().subject;  // their own
  Result<projections::InvoicePage> found = side->invoices(request);
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  call.respond(json_response(http::status::ok, projections::invoice_page_json(found.value())));
}

void invoice(Call& call, bool pdf) {
  const QuerySide* side = views_of(call);
  if (side == nullptr) return;
  const std::string id(call.param("id"));
  Result<projections::InvoiceDetail> found = side->invoice(call.who().tenant, id);
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  if (call.who().role == v1::ROLE_CLIENT &&
      found.value().document.client_id != call.who().subject) {
    return call.respond(not_found("invoice", id));
  }
  if (pdf) {
    Response response =
        make_response(http::status::ok, kPdfType, projections::invoice_pdf(found.value()));
    response.set(http::field::content_disposition, "inline; filename=\"" + id + ".pdf\"");
    return call.respond(std::move(response));
  }
  call.respond(json_response(http::status::ok, projections::invoice_json(found.value())));
}

void invoice_json_route(Call& call) {
  invoice(call, false);
}
void invoice_pdf_route(Call& call) {
  invoice(call, true);
}

// ------------------------------------------------------------------------- client history

void client_bookings(Call& call) {
  const QuerySide* side = views_of(call);
  if (side == nullptr) return;
  auto parsed = ViewParams::of(call, {"page_token", "limit"});
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  const ViewParams& params = std::get<ViewParams>(parsed);
  projections::ClientHistoryRequest request{call.who().tenant, std::string(call.param("id")),
                                            params.text("page_token"), kClientPageDefault};
  if (answered(call, {params.count("limit", projections::kClientPageMax, request.limit)})) {
    return;
  }
  if (call.who().role == v1::ROLE_CLIENT && call.who().subject != request.client_id) {
    return call.respond(not_found("client", request.client_id));
  }
  Result<projections::ClientHistoryPage> found = side->client_history(request);
  if (!found.is_ok()) return call.respond(problem_from(found.status()));
  call.respond(json_response(http::status::ok, projections::client_history_json(found.value())));
}

}  // namespace

void add_views_routes(RouteTable& table) {
  const RoleSet staff_admin = roles({v1::ROLE_STAFF, v1::ROLE_ADMIN});
  const RoleSet tenant_users = roles({v1::ROLE_CLIENT, v1::ROLE_STAFF, v1::ROLE_ADMIN});
  const RoleSet owner_admin = roles({v1::ROLE_CLIENT, v1::ROLE_ADMIN});
  const RoleSet admin = roles({v1::ROLE_ADMIN});
  table.add({http::verb::get, "/v1/staff/{id}/agenda", staff_admin, agenda_json_route});
  table.add({http::verb::get, "/v1/staff/{id}/agenda.ics", staff_admin, agenda_ics_route});
  table.add({http::verb::get, "/v1/availability", tenant_users, availability});
  table.add({http::verb::get, "/v1/bookings/{id}/alternatives", tenant_users, alternatives});
  table.add({http::verb::get, "/v1/sites/{id}/kpis", admin, site_kpis});
  table.add({http::verb::get, "/v1/kpis", admin, tenant_kpis});
  table.add({http::verb::get, "/v1/invoices", owner_admin, invoice_list});
  // Before "{id}": it would take "F001-00000001.pdf" as an id too.
  table.add({http::verb::get, "/v1/invoices/{id}.pdf", owner_admin, invoice_pdf_route});
  table.add({http::verb::get, "/v1/invoices/{id}", owner_admin, invoice_json_route});
  table.add({http::verb::get, "/v1/clients/{id}/bookings", owner_admin, client_bookings});
}

}  // namespace turno::api
