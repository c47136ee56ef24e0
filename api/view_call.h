// What the read-view route groups share (routes_views.cc, routes_directory_read.cc): this
// node's read views, the query string read strictly, and a view's Status as a problem.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api.h"
#include "query_side.h"
#include "query_string.h"

namespace turno::api {

// This node's read views; null after answering 503 when it runs none (`--role command`).
const projections::QuerySide* views_of(Call& call);

// A view's error: not_found 404, invalid_argument 400, anything else 503.
Problem problem_from(const Status& status);

// 404 "no <what> <id>".
Problem not_found(std::string_view what, std::string_view id);

// Answers the first problem of `checks`, if any; true when one was answered.
bool answered(Call& call, std::initializer_list<std::optional<Problem>> checks);

// The query string, strictly: only the names a route knows, each value checked. Each check
// leaves `out` alone when the parameter is absent and answers a 400 naming it when malformed.
class ViewParams {
 public:
  static std::variant<ViewParams, Problem> of(const Call& call,
                                              std::initializer_list<std::string_view> known);

  // The value, or empty when absent.
  std::string text(std::string_view name) const;
  // A local date "YYYY-MM-DD".
  std::optional<Problem> day(std::string_view name, std::optional<std::int64_t>& out) const;
  // A whole number 1..max.
  std::optional<Problem> count(std::string_view name, std::int32_t max, std::int32_t& out) const;
  // "true" or "false".
  std::optional<Problem> flag(std::string_view name, bool& out) const;

 private:
  QueryParameters values_;
};

}  // namespace turno::api
