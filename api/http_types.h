// The HTTP message types the API passes around, and builders for JSON and text responses.
#pragma once

#include <boost/beast/http.hpp>
#include <string>
#include <string_view>

namespace turno::api {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

inline constexpr std::string_view kJsonType = "application/json";
inline constexpr std::string_view kProblemType = "application/problem+json";

// A response with `status`, `content_type` and `body`; the session adds version, keep-alive,
// X-Request-Id and Content-Length.
Response make_response(http::status status, std::string_view content_type, std::string body);
inline Response json_response(http::status status, std::string body) {
  return make_response(status, kJsonType, std::move(body));
}

}  // namespace turno::api
