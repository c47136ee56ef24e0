// Rate limits: token buckets per client (the token's tenant and `sub`) and per tenant, on the
// routes that cost the writer or the views the most — every authenticated route that is not a
// GET (the commands) and GET /v1/availability. A request takes a token from its client's
// bucket and its tenant's, or from neither; when one is empty it is answered 429 with
// Retry-After and a problem naming the limit. Never limited: public routes (signed webhooks,
// /healthz, /readyz, /metrics, /openapi.yaml) and platform tokens (no tenant: the operator's).
//
// Limits are "RATE,BURST" (tokens per second, bucket size) or "off": defaults for every tenant
// and overrides per tenant (parse_rate_limit_overrides). The buckets live in this process, so
// with several command nodes behind a balancer each enforces its own share.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "clock.h"
#include "problem.h"
#include "router.h"
#include "status.h"
#include "token_bucket.h"

namespace turno::api {

inline constexpr std::size_t kClientBucketsMaxDefault = 100'000;
inline constexpr std::size_t kTenantBucketsMaxDefault = 10'000;
inline constexpr std::size_t kRateLimitOverridesMax = 100'000;  // tenants in an overrides file
inline constexpr std::size_t kRejectionTenantsMax =
    1'000;  // tenant labels per scope; then "_other"

// "10,20" -> 10 per second, burst 20; "0.5,5"; "off" -> disabled. nullopt when malformed
// (rate not a positive number up to 1e6, burst not a whole number 1..1e6).
std::optional<RateLimit> parse_rate_limit(std::string_view text);
// "10,20", or "off".
std::string to_string(const RateLimit& limit);

struct TenantRateLimits {
  RateLimit client;  // each client (JWT `sub`) of the tenant
  RateLimit tenant;  // the tenant's clients together
};

using RateLimitOverrides = std::map<std::string, TenantRateLimits, std::less<>>;

// The overrides file: one tenant a line, `TENANT [client=LIMIT] [tenant=LIMIT]`, a limit as in
// parse_rate_limit; what a line leaves out is the default. '#' starts a comment.
//   clinic-big    client=50,100  tenant=2000,4000
//   clinic-trial  client=1,5
//   load-test     client=off     tenant=off
// invalid_argument naming the line for anything else.
Result<RateLimitOverrides> parse_rate_limit_overrides(std::string_view text,
                                                      const TenantRateLimits& defaults);

struct RateLimitOptions {
  TenantRateLimits defaults;     // both off unless set
  RateLimitOverrides overrides;  // by tenant id
  std::size_t client_buckets_max = kClientBucketsMaxDefault;
  std::size_t tenant_buckets_max = kTenantBucketsMaxDefault;
  const Clock* monotonic_clock = nullptr;  // null: std::chrono::steady_clock; must outlive

  // Any limit set at all.
  bool enabled() const;
};

// Whether requests to `route` take tokens (see the top of this file).
bool rate_limited_route(const Route& route);

enum class RateLimitScope { kClient, kTenant };
std::string_view to_string(RateLimitScope scope);

struct RateLimitRefusal {
  RateLimitScope scope;
  RateLimit limit;
  std::int64_t retry_after_s = 1;  // whole seconds until a token is there, rounded up
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes a token for one request of client `subject` of `tenant` now, or says which limit
  // refused it (and takes nothing). Thread-safe.
  std::optional<RateLimitRefusal> admit(std::string_view tenant, std::string_view subject);

  // Prometheus text: turno_rate_limit_rejections_total{scope,tenant}, the configured limits
  // (turno_rate_limit_rate_per_second and _burst, tenant="*" for the defaults), the buckets
  // tracked, their bound and the busy ones dropped at the bound.
  void metrics_text(std::string& out) const;

 private:
  std::int64_t now_ms() const;
  const TenantRateLimits& limits_for(std::string_view tenant) const;
  void count_rejection(RateLimitScope scope, std::string_view tenant);

  RateLimitOptions options_;
  mutable std::mutex mutex_;
  BucketTable clients_;  // GUARDED_BY(mutex_); keys "tenant\0subject"
  BucketTable tenants_;  // GUARDED_BY(mutex_)
  std::map<std::string, std::uint64_t, std::less<>> client_rejections_;  // GUARDED_BY(mutex_)
  std::map<std::string, std::uint64_t, std::less<>> tenant_rejections_;  // GUARDED_BY(mutex_)
};

// The 429 answer: problem "rate_limited" naming the limit (`limit`: "client" or "tenant"),
// Retry-After.
Problem rate_limit_problem(const RateLimitRefusal& refusal, std::string_view tenant);

}  // namespace turno::api
