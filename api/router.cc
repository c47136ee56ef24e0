#include "router.h"

#include "verify.h"

namespace turno::api {
namespace {

// Splits off the next "/segment" of `path`; false at the end.
bool next_segment(std::string_view& path, std::string_view& segment) {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  const auto slash = path.find('/');
  segment = path.substr(0, slash);
  path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  return true;
}

bool matches(std::string_view pattern, std::string_view path, PathParams& params) {
  std::string_view expected;
  std::string_view actual;
  while (true) {
    const bool more_pattern = next_segment(pattern, expected);
    const bool more_path = next_segment(path, actual);
    if (!more_pattern || !more_path) return !more_pattern && !more_path;
    const std::size_t close = expected.find('}');
    if (expected.size() > 2 && expected.front() == '{' && close != std::string_view::npos) {
      // "{id}" captures the segment; "{id}.pdf" captures it without a literal suffix.
      const std::string_view suffix = expected.substr(close + 1);
      if (actual.size() <= suffix.size() || !actual.ends_with(suffix)) return false;
      params.add(expected.substr(1, close - 1), actual.substr(0, actual.size() - suffix.size()));
    } else if (expected != actual) {
      return false;
    }
  }
}

}  // namespace

std::string_view PathParams::get(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return {};
}

void RouteTable::add(const Route& route) {
  for (const Route& existing : routes_) {
    VERIFY(existing.method != route.method || existing.pattern != route.pattern,
           "a route is registered once");
  }
  routes_.push_back(route);
}

RouteTable::Match RouteTable::match(http::verb method, std::string_view path) const {
  Match found;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    PathParams params;
    if (!matches(routes_[i].pattern, path, params)) continue;
    if (routes_[i].method == method) {
      found.route = &routes_[i];
      found.index = i;
      found.params = std::move(params);
      return found;
    }
    if (!found.allowed_methods.empty()) found.allowed_methods += ", ";
    found.allowed_methods += std::string(http::to_string(routes_[i].method));
  }
  return found;
}

}  // namespace turno::api
