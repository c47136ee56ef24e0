// Every route group, one line each. A group is a file api/routes_<name>.cc defining
// `void add_<name>_routes(RouteTable& table)`; adding a group is that file plus one line here.
#pragma once

#include "router.h"

#define TURNO_ROUTE_GROUPS(X) \
  X(ops)                      \
  X(catalog)                  \
  X(directory)                \
  X(directory_read)           \
  X(booking)                  \
  X(payments)                 \
  X(events)                   \
  X(views)                    \
  X(notifications)

namespace turno::api {

#define TURNO_DECLARE_ROUTE_GROUP(name) void add_##name##_routes(RouteTable& table);
TURNO_ROUTE_GROUPS(TURNO_DECLARE_ROUTE_GROUP)
#undef TURNO_DECLARE_ROUTE_GROUP

// Adds every group's routes to `table`.
inline void add_route_groups(RouteTable& table) {
#define TURNO_ADD_ROUTE_GROUP(name) add_##name##_routes(table);
  TURNO_ROUTE_GROUPS(TURNO_ADD_ROUTE_GROUP)
#undef TURNO_ADD_ROUTE_GROUP
}

// A query node's routes: operations and the read views (the directory is one).
inline void add_query_route_groups(RouteTable& table) {
  add_ops_routes(table);
  add_directory_read_routes(table);
  add_views_routes(table);
}

}  // namespace turno::api
