// Errors as RFC 9457 problem details (`application/problem+json`): a stable `type`
// ("urn:turno:problem:<code>"), a title, the HTTP status, a detail for a person and, for
// validation errors, the offending `field`. Writer rejections map to statuses here, once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_types.h"
#include "json_reader.h"
#include "rejection.h"

namespace turno::api {

inline constexpr int kRetryAfterS = 1;  // Retry-After on 503 (queue full, shutting down)

struct Problem {
  http::status status = http::status::bad_request;
  std::string code;    // stable slug: "validation", "slot_taken", "unauthorized", ...
  std::string title;   // short, the same for every problem of this code
  std::string detail;  // this occurrence, for a person
  std::string field;   // the request field at fault; empty when none
  std::optional<int> retry_after_s;
  // Extension members, written after the standard ones: "limit" (429: the rate limit that
  // refused), "node_role" (a query node's refusal), "placeholder" (a template's unknown one).
  std::vector<std::pair<std::string, std::string>> members;

  // The extension member `name`, or empty.
  std::string_view member(std::string_view name) const;
  Problem& with(std::string name, std::string value) {
    members.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// The HTTP answer to a writer rejection: 409 conflicts, 422 domain rules, 404, 400, 403, 503.
// Engine field names ("start_ms") become API names ("start").
Problem problem_from_rejection(const Rejection& rejection);

// 400 for a body or parameter that did not read (json_reader.h).
Problem invalid_request(const FieldError& error);

Problem make_problem(http::status status, std::string code, std::string detail,
                     std::string field = {});

// The problem as a response, with Retry-After when set.
Response problem_response(const Problem& problem);

}  // namespace turno::api
