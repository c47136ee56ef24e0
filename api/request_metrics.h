// Request counters by route and status, and request latency, for GET /metrics. Lock-free:
// any I/O thread records, the metrics handler reads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "metrics.h"
#include "router.h"

namespace turno::api {

class RequestMetrics {
 public:
  // One row per route of `table`, plus one for requests that matched none.
  explicit RequestMetrics(const RouteTable& table);

  // `route_index` from RouteTable::Match::index, or unmatched().
  void record(std::size_t route_index, unsigned status, std::uint64_t latency_us);
  std::size_t unmatched() const { return rows_.size() - 1; }

  // Prometheus text: turno_http_requests_total{route,method,status} and
  // turno_http_request_duration_us{route,method} (routes that answered at least once).
  void render(std::string& out) const;

 private:
  static constexpr unsigned kStatusMax = 600;
  struct Row {
    std::string method;
    std::string pattern;
    std::array<std::atomic<std::uint64_t>, kStatusMax> by_status{};
    Histogram latency_us{latency_us_buckets()};
  };
  std::vector<std::unique_ptr<Row>> rows_;
};

// Appends one Prometheus histogram (`name`_bucket/_sum/_count) to `out`, with its # HELP and
// # TYPE lines unless `help` is empty (a further series of a family already begun). `labels`:
// `route="/v1/holds",method="POST"`, or empty.
void render_histogram(std::string& out, std::string_view name, std::string_view help,
                      const Histogram& histogram, std::string_view labels = {});

}  // namespace turno::api
