// schemas/openapi.yaml is the contract: every route of the table is in it with the same roles
// (x-roles), and it has no route the table lacks.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "api.h"
#include "engine.h"
#include "temp_dir.h"

namespace turno::api {
namespace {

struct Operation {
  std::string method;  // lower case
  std::string path;
  std::string roles;  // "admin,client" sorted, or "public"
  auto operator<=>(const Operation&) const = default;
};

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(' ');
  return first == std::string::npos ? std::string() : text.substr(first);
}

std::size_t indent_of(const std::string& line) {
  return line.find_first_not_of(' ');
}

// Reads the `paths:` section: path keys indented 2, methods 4, `x-roles: [a, b]` 6.
std::set<Operation> spec_operations(const std::string& yaml) {
  static const std::set<std::string> kMethods = {"get", "post", "put", "patch", "delete"};
  std::set<Operation> operations;
  std::istringstream in(yaml);
  std::string line;
  bool in_paths = false;
  std::string path;
  Operation current;
  auto flush = [&] {
    if (!current.method.empty()) operations.insert(current);
    current = {};
  };
  while (std::getline(in, line)) {
    if (line.empty() || trimmed(line).starts_with("#")) continue;
    const std::size_t indent = indent_of(line);
    if (indent == 0) {
      flush();
      in_paths = line == "paths:";
      continue;
    }
    if (!in_paths) continue;
    const std::string text = trimmed(line);
    if (indent == 2 && text.starts_with("/")) {
      flush();
      path = text.substr(0, text.find(':'));
    } else if (indent == 4 && kMethods.contains(text.substr(0, text.find(':')))) {
      flush();
      current = {text.substr(0, text.find(':')), path, "public"};
    } else if (indent == 6 && text.starts_with("x-roles:") && !current.method.empty()) {
      std::string roles = text.substr(text.find('[') + 1);
      roles = roles.substr(0, roles.find(']'));
      std::set<std::string> sorted;
      std::istringstream parts(roles);
      for (std::string role; std::getline(parts, role, ',');) sorted.insert(trimmed(role));
      current.roles.clear();
      for (const std::string& role : sorted)
        current.roles += (current.roles.empty() ? "" : ",") + role;
    }
  }
  flush();
  return operations;
}

std::set<Operation> table_operations(const RouteTable& table) {
  std::set<Operation> operations;
  for (const Route& route : table.routes()) {
    std::string method(http::to_string(route.method));
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::set<std::string> sorted;
    for (const v1::Role role :
         {v1::ROLE_CLIENT, v1::ROLE_STAFF, v1::ROLE_ADMIN, v1::ROLE_AUDITOR, v1::ROLE_PLATFORM}) {
      if (admits(route.roles, role)) sorted.insert(std::string(role_name(role)));
    }
    std::string roles;
    for (const std::string& role : sorted) roles += (roles.empty() ? "" : ",") + role;
    operations.insert({method, std::string(route.pattern), roles.empty() ? "public" : roles});
  }
  return operations;
}

TEST_CASE("schemas/openapi.yaml and the route table list the same routes with the same roles") {
  std::ifstream file(TURNO_OPENAPI_PATH);
  REQUIRE(file.good());
  std::stringstream yaml;
  yaml << file.rdbuf();
  REQUIRE(yaml.str().starts_with("openapi: 3.1"));

  testing::TempDir dir;
  ManualClock clock(0);
  auto engine = Engine::open(dir.path(), clock);
  REQUIRE(engine.is_ok());
  ApiOptions options;
  options.access_log = nullptr;
  Api api(*engine.value(), clock, options);

  const std::set<Operation> spec = spec_operations(yaml.str());
  const std::set<Operation> table = table_operations(api.routes());
  for (const Operation& operation : table) {
    INFO("in the route table, not in the spec: " << operation.method << " " << operation.path
                                                 << " roles " << operation.roles);
    CHECK(spec.contains(operation));
  }
  for (const Operation& operation : spec) {
    INFO("in the spec, not in the route table: " << operation.method << " " << operation.path
                                                 << " roles " << operation.roles);
    CHECK(table.contains(operation));
  }
  CHECK(table.size() >= 30);
}

}  // namespace
}  // namespace turno::api
