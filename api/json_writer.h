// Responses are written with the project's streaming JSON writer (projections/json.h): one
// writer for the API and the views, so both escape and format alike. Instants go out as RFC
// 3339 strings (rfc3339.h).
#pragma once

#include "json.h"
#include "rfc3339.h"

namespace turno::api {

using projections::JsonWriter;

}  // namespace turno::api
