#include "problem.h"

#include <array>

#include "json_writer.h"

namespace turno::api {
namespace {

struct Mapping {
  RejectionCode code;
  http::status status;
  std::string_view title;
};

constexpr std::array<Mapping, 18> kMappings = {{
    {RejectionCode::kValidation, http::status::bad_request, "Invalid request"},
    {RejectionCode::kUnknownId, http::status::not_found, "Not found"},
    {RejectionCode::kAlreadyExists, http::status::conflict, "Already exists"},
    {RejectionCode::kForbidden, http::status::forbidden, "Forbidden"},
    {RejectionCode::kSlotTaken, http::status::conflict, "Slot taken"},
    {RejectionCode::kOutsideWorkingHours, http::status::unprocessable_entity,
     "Outside working hours"},
    {RejectionCode::kInTimeOff, http::status::unprocessable_entity, "Staff member is off"},
    {RejectionCode::kLacksSkill, http::status::unprocessable_entity, "Lacks skill"},
    {RejectionCode::kWrongSite, http::status::unprocessable_entity, "Wrong site"},
    {RejectionCode::kOutsideBookingWindow, http::status::unprocessable_entity,
     "Outside booking window"},
    {RejectionCode::kInvalidTransition, http::status::conflict, "Invalid transition"},
    {RejectionCode::kAmountMismatch, http::status::unprocessable_entity, "Amount mismatch"},
    {RejectionCode::kRefundExceedsPaid, http::status::unprocessable_entity, "Refund exceeds paid"},
    {RejectionCode::kIdempotencyKeyReused, http::status::unprocessable_entity,
     "Idempotency key reused"},
    {RejectionCode::kRetired, http::status::unprocessable_entity, "Retired"},
    {RejectionCode::kQueueFull, http::status::service_unavailable, "Busy"},
    {RejectionCode::kStorageFailed, http::status::service_unavailable, "Storage unavailable"},
    {RejectionCode::kShuttingDown, http::status::service_unavailable, "Shutting down"},
}};

std::string_view default_title(http::status status) {
  switch (status) {
    case http::status::bad_request:
      return "Invalid request";
    case http::status::unauthorized:
      return "Unauthorized";
    case http::status::forbidden:
      return "Forbidden";
    case http::status::not_found:
      return "Not found";
    case http::status::method_not_allowed:
      return "Method not allowed";
    case http::status::misdirected_request:
      return "Misdirected request";
    case http::status::payload_too_large:
      return "Payload too large";
    case http::status::unsupported_media_type:
      return "Unsupported media type";
    case http::status::request_header_fields_too_large:
      return "Headers too large";
    case http::status::too_many_requests:
      return "Too many requests";
    case http::status::service_unavailable:
      return "Service unavailable";
    default:
      return "Error";
  }
}

// "start_ms" -> "start", "policy.hold_ttl_s" stays: the API names instants without the unit.
std::string api_field(std::string field) {
  constexpr std::string_view kSuffix = "_ms";
  if (field.size() > kSuffix.size() && field.ends_with(kSuffix)) {
    field.resize(field.size() - kSuffix.size());
  }
  return field;
}

}  // namespace

Problem problem_from_rejection(const Rejection& rejection) {
  for (const Mapping& mapping : kMappings) {
    if (mapping.code != rejection.code) continue;
    Problem problem{mapping.status,
                    std::string(to_string(rejection.code)),
                    std::string(mapping.title),
                    rejection.detail,
                    api_field(rejection.field),
                    {},
                    {}};
    if (rejection.code == RejectionCode::kQueueFull ||
        rejection.code == RejectionCode::kShuttingDown) {
      problem.retry_after_s = kRetryAfterS;
    }
    return problem;
  }
  return make_problem(http::status::service_unavailable, "unknown", rejection.detail);
}

std::string_view Problem::member(std::string_view name) const {
  for (const auto& [candidate, value] : members) {
    if (candidate == name) return value;
  }
  return {};
}

Problem invalid_request(const FieldError& error) {
  return Problem{http::status::bad_request,
                 "validation",
                 "Invalid request",
                 error.detail,
                 error.field,
                 {},
                 {}};
}

Problem make_problem(http::status status, std::string code, std::string detail, std::string field) {
  return Problem{status,
                 std::move(code),
                 std::string(default_title(status)),
                 std::move(detail),
                 std::move(field),
                 {},
                 {}};
}

Response problem_response(const Problem& problem) {
  JsonWriter json;
  json.begin_object()
      .field("type", "urn:turno:problem:" + problem.code)
      .field("title", problem.title)
      .field("status", static_cast<std::int64_t>(problem.status))
      .field("detail", problem.detail);
  if (!problem.field.empty()) json.field("field", problem.field);
  for (const auto& [name, value] : problem.members) json.field(name, value);
  json.end_object();
  Response response = make_response(problem.status, kProblemType, json.take());
  if (problem.retry_after_s)
    response.set(http::field::retry_after, std::to_string(*problem.retry_after_s));
  if (problem.status == http::status::unauthorized) {
    response.set(http::field::www_authenticate, "Bearer");
  }
  return response;
}

Response make_response(http::status status, std::string_view content_type, std::string body) {
  Response response{status, 11};
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

}  // namespace turno::api
