// The route table: every route the server answers, each with its method, path pattern
// ("/v1/bookings/{id}/cancel"), the roles it admits and its handler. One table, so the OpenAPI
// test can compare it with schemas/openapi.yaml and /metrics can label requests by pattern.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events.pb.h"
#include "http_types.h"

namespace turno::api {

class Call;
using Handler = void (*)(Call& call);

// A set of roles as bits (1 << v1::Role). kPublic admits requests without a token.
using RoleSet = std::uint32_t;
inline constexpr RoleSet kPublic = 0;
constexpr RoleSet roles(std::initializer_list<v1::Role> admitted) {
  RoleSet set = 0;
  for (v1::Role role : admitted) set |= RoleSet{1} << role;
  return set;
}
constexpr bool admits(RoleSet set, v1::Role role) {
  return (set >> role & 1u) != 0;
}

struct Route {
  http::verb method;
  std::string_view pattern;  // segments in braces capture: {id}, or {id}.pdf (suffix dropped)
  RoleSet roles;
  Handler handler;
};

// Captured path segments, by name.
class PathParams {
 public:
  void add(std::string_view name, std::string_view value) { values_.emplace_back(name, value); }
  // The segment captured as `name`, or empty.
  std::string_view get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string_view, std::string_view>> values_;
};

class RouteTable {
 public:
  // Adds a route; a second route with the same method and pattern is a programmer error.
  void add(const Route& route);

  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    std::size_t index = 0;         // position in routes(), for metrics
    PathParams params;             // views into the path given to match()
    std::string allowed_methods;   // when the path exists under other methods: "GET, POST"
  };
  // The route for `method` and `path` (no query string).
  Match match(http::verb method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace turno::api
