#include "view_call.h"

#include <fmt/format.h>

#include <algorithm>

#include "local_time.h"
#include "log_views.h"

namespace turno::api {

const projections::QuerySide* views_of(Call& call) {
  // A query node of several shards: the views of the log that holds the caller's tenant.
  if (const auto* logs = call.api.find<projections::LogViews>()) {
    return &logs->for_tenant(call.principal ? std::string_view(call.principal->tenant) : "");
  }
  const auto* side = call.api.find<projections::QuerySide>();
  if (side == nullptr) {
    call.respond(make_problem(http::status::service_unavailable, "views_unavailable",
                              "the read views do not run on this node"));
  }
  return side;
}

Problem problem_from(const Status& status) {
  switch (status.code()) {
    case Status::Code::kNotFound:
      return make_problem(http::status::not_found, "not_found", status.message());
    case Status::Code::kInvalidArgument:
      return make_problem(http::status::bad_request, "validation", status.message());
    default:
      return make_problem(http::status::service_unavailable, "views_unavailable", status.message());
  }
}

Problem not_found(std::string_view what, std::string_view id) {
  return make_problem(http::status::not_found, "not_found", fmt::format("no {} {}", what, id));
}

bool answered(Call& call, std::initializer_list<std::optional<Problem>> checks) {
  for (const auto& problem : checks) {
    if (problem) {
      call.respond(*problem);
      return true;
    }
  }
  return false;
}

std::variant<ViewParams, Problem> ViewParams::of(const Call& call,
                                                 std::initializer_list<std::string_view> known) {
  auto parsed = query_parameters(call.request.target());
  if (auto* problem = std::get_if<Problem>(&parsed)) return *problem;
  ViewParams params;
  params.values_ = std::move(std::get<QueryParameters>(parsed));
  for (const auto& [name, value] : params.values_) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return make_problem(http::status::bad_request, "validation",
                          "unknown query parameter " + name, name);
    }
  }
  return params;
}

std::string ViewParams::text(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return {};
}

std::optional<Problem> ViewParams::day(std::string_view name,
                                       std::optional<std::int64_t>& out) const {
  const std::string value = text(name);
  if (value.empty()) return std::nullopt;
  out = projections::parse_date(value);
  if (out) return std::nullopt;
  return make_problem(http::status::bad_request, "validation",
                      std::string(name) + " is a date, YYYY-MM-DD", std::string(name));
}

std::optional<Problem> ViewParams::count(std::string_view name, std::int32_t max,
                                         std::int32_t& out) const {
  const std::string value = text(name);
  if (value.empty()) return std::nullopt;
  const std::optional<std::uint64_t> number = whole_number(value);
  if (number && *number >= 1 && *number <= static_cast<std::uint64_t>(max)) {
    out = static_cast<std::int32_t>(*number);
    return std::nullopt;
  }
  return make_problem(http::status::bad_request, "validation",
                      fmt::format("{} is 1 to {}", name, max), std::string(name));
}

std::optional<Problem> ViewParams::flag(std::string_view name, bool& out) const {
  const std::string value = text(name);
  if (value.empty()) return std::nullopt;
  if (value == "true" || value == "false") {
    out = value == "true";
    return std::nullopt;
  }
  return make_problem(http::status::bad_request, "validation",
                      std::string(name) + " is true or false", std::string(name));
}

}  // namespace turno::api
