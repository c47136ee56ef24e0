#include "request_metrics.h"

#include <fmt/format.h>

namespace turno::api {

RequestMetrics::RequestMetrics(const RouteTable& table) {
  for (const Route& route : table.routes()) {
    auto row = std::make_unique<Row>();
    row->method = std::string(http::to_string(route.method));
    row->pattern = std::string(route.pattern);
    rows_.push_back(std::move(row));
  }
  auto unmatched_row = std::make_unique<Row>();
  unmatched_row->method = "any";
  unmatched_row->pattern = "unmatched";
  rows_.push_back(std::move(unmatched_row));
}

void RequestMetrics::record(std::size_t route_index, unsigned status, std::uint64_t latency_us) {
  if (route_index >= rows_.size()) route_index = unmatched();
  if (status >= kStatusMax) status = 0;
  rows_[route_index]->by_status[status].fetch_add(1, std::memory_order_relaxed);
  rows_[route_index]->latency_us.record(latency_us);
}

void RequestMetrics::render(std::string& out) const {
  out += "# HELP turno_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE turno_http_requests_total counter\n";
  for (const auto& row : rows_) {
    for (unsigned status = 0; status < kStatusMax; ++status) {
      const std::uint64_t count = row->by_status[status].load(std::memory_order_relaxed);
      if (count == 0) continue;
      fmt::format_to(std::back_inserter(out),
                     "turno_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                     row->pattern, row->method, status, count);
    }
  }
  out +=
      "# HELP turno_http_request_duration_us Time from a request read to its response "
      "queued, microseconds, by route.\n# TYPE turno_http_request_duration_us histogram\n";
  for (const auto& row : rows_) {
    if (row->latency_us.count() == 0) continue;
    render_histogram(out, "turno_http_request_duration_us", {}, row->latency_us,
                     fmt::format("route=\"{}\",method=\"{}\"", row->pattern, row->method));
  }
}

void render_histogram(std::string& out, std::string_view name, std::string_view help,
                      const Histogram& histogram, std::string_view labels) {
  auto sink = std::back_inserter(out);
  if (!help.empty()) fmt::format_to(sink, "# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  const std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  const std::string own = labels.empty() ? std::string() : "{" + std::string(labels) + "}";
  for (std::size_t bucket = 0; bucket < histogram.bucket_count(); ++bucket) {
    fmt::format_to(sink, "{}_bucket{{{}le=\"{}\"}} {}\n", name, prefix,
                   histogram.upper_bound(bucket), histogram.cumulative_count(bucket));
  }
  fmt::format_to(sink, "{}_bucket{{{}le=\"+Inf\"}} {}\n{}_sum{} {}\n{}_count{} {}\n", name, prefix,
                 histogram.count(), name, own, histogram.sum(), name, own, histogram.count());
}

}  // namespace turno::api
