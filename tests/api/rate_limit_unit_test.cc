// Rate limits without a server: limits and the overrides file parsed, which routes count, the
// limiter's two buckets, and the bound on buckets tracked. Time is a ManualClock.
#include <doctest/doctest.h>

#include "rate_limit.h"

namespace turno::api {
namespace {

constexpr std::int64_t kStartMs = 1'000'000;

RateLimitOptions with_clock(const ManualClock& clock, TenantRateLimits defaults) {
  RateLimitOptions options;
  options.defaults = defaults;
  options.monotonic_clock = &clock;
  return options;
}

TEST_CASE("a limit is RATE,BURST or off") {
  const auto limit = parse_rate_limit("0.5,5");
  REQUIRE(limit);
  CHECK(limit->rate_milli_per_s == 500);
  CHECK(limit->burst == 5);
  CHECK(parse_rate_limit("10,20")->enabled());
  CHECK_FALSE(parse_rate_limit("off")->enabled());
  CHECK(to_string(*parse_rate_limit("10,20")) == "10,20");
  CHECK(to_string(RateLimit{}) == "off");
  for (const char* bad : {"", "10", "10,", ",5", "-1,5", "0,5", "10,0", "1e3,5", "abc,5", "10,20x",
                          "10,2000000", "10 ,5"}) {
    INFO(bad);
    CHECK_FALSE(parse_rate_limit(bad));
  }
}

TEST_CASE("the overrides file: a tenant a line, what it leaves out is the default") {
  const TenantRateLimits defaults{{5'000, 10}, {100'000, 200}};  // 5/s, 100/s
  auto parsed = parse_rate_limit_overrides(
      "# tenant  limits\n"
      "\n"
      "big   client=50,100 tenant=2000,4000\n"
      "trial client=1,5   # a comment\n"
      "load  client=off tenant=off\n",
      defaults);
  REQUIRE(parsed.is_ok());
  const RateLimitOverrides& overrides = parsed.value();
  CHECK(overrides.size() == 3);
  CHECK(overrides.at("big").tenant.burst == 4000);
  CHECK(overrides.at("trial").client.rate_milli_per_s == 1000);
  CHECK(overrides.at("trial").tenant.burst == 200);  // the default
  CHECK_FALSE(overrides.at("load").client.enabled());

  const auto twice = parse_rate_limit_overrides("a client=1,1\na client=2,2\n", defaults);
  CHECK(twice.status().message().find("line 2") != std::string::npos);
  const auto bad = parse_rate_limit_overrides("a\nb clients=1,1\n", defaults);
  CHECK(bad.status().message().find("line 2") != std::string::npos);
  CHECK_FALSE(parse_rate_limit_overrides("a client=1", defaults).is_ok());
}

TEST_CASE("commands and availability count; reads, webhooks and operations do not") {
  auto route = [](http::verb method, std::string_view pattern, RoleSet admitted) {
    return Route{method, pattern, admitted, nullptr};
  };
  const RoleSet users = roles({v1::ROLE_CLIENT, v1::ROLE_ADMIN});
  CHECK(rate_limited_route(route(http::verb::post, "/v1/holds", users)));
  CHECK(rate_limited_route(route(http::verb::put, "/v1/staff/{id}/profile", users)));
  CHECK(rate_limited_route(route(http::verb::delete_, "/v1/x/{id}", users)));
  CHECK(rate_limited_route(route(http::verb::get, "/v1/availability", users)));
  CHECK_FALSE(rate_limited_route(route(http::verb::get, "/v1/staff", users)));
  CHECK_FALSE(
      rate_limited_route(route(http::verb::post, "/v1/webhooks/payments/{provider}", kPublic)));
  CHECK_FALSE(rate_limited_route(route(http::verb::get, "/healthz", kPublic)));
}

TEST_CASE("a request takes from both buckets or from neither") {
  ManualClock clock(kStartMs);
  // The client refills once in 1000 s, the tenant every second.
  RateLimiter limiter(with_clock(clock, {{1, 1}, {1'000, 1}}));
  CHECK_FALSE(limiter.admit("t1", "c1"));
  const auto by_client = limiter.admit("t1", "c1");
  REQUIRE(by_client);
  CHECK(by_client->scope == RateLimitScope::kClient);
  CHECK(by_client->retry_after_s == 1000);
  const auto by_tenant = limiter.admit("t1", "c2");  // c2's token goes back
  REQUIRE(by_tenant);
  CHECK(by_tenant->scope == RateLimitScope::kTenant);
  CHECK(by_tenant->retry_after_s == 1);
  clock.advance(1'000);
  CHECK_FALSE(limiter.admit("t1", "c2"));
  CHECK_FALSE(limiter.admit("t2", "c1"));  // another tenant, other buckets

  const Problem problem = rate_limit_problem(*by_tenant, "t1");
  CHECK(problem.status == http::status::too_many_requests);
  CHECK(problem.member("limit") == "tenant");
  CHECK(problem.retry_after_s == 1);
  CHECK(problem.detail.find("tenant t1") != std::string::npos);
}

TEST_CASE("a clock that goes back adds no tokens; a full bucket stays at its burst") {
  ManualClock clock(kStartMs);
  RateLimiter limiter(with_clock(clock, {{1'000, 2}, {}}));
  clock.advance(3'600'000);  // an hour of quiet: still 2, not 3600
  CHECK_FALSE(limiter.admit("t1", "c1"));
  CHECK_FALSE(limiter.admit("t1", "c1"));
  CHECK(limiter.admit("t1", "c1"));
  clock.advance(-10'000);
  CHECK(limiter.admit("t1", "c1"));
}

TEST_CASE("overrides replace the defaults of their tenant only") {
  ManualClock clock(kStartMs);
  RateLimitOptions options = with_clock(clock, {{1'000, 1}, {}});
  options.overrides.emplace("load", TenantRateLimits{});  // off
  RateLimiter limiter(std::move(options));
  for (int i = 0; i < 100; ++i) CHECK_FALSE(limiter.admit("load", "c1"));
  CHECK_FALSE(limiter.admit("t1", "c1"));
  CHECK(limiter.admit("t1", "c1"));
}

TEST_CASE("buckets are bounded: idle ones go first, then the least recently used") {
  ManualClock clock(kStartMs);
  RateLimitOptions options = with_clock(clock, {{1'000, 1}, {}});
  options.client_buckets_max = 2;
  RateLimiter limiter(std::move(options));
  CHECK_FALSE(limiter.admit("t1", "c1"));
  CHECK_FALSE(limiter.admit("t1", "c2"));
  CHECK_FALSE(limiter.admit("t1", "c3"));  // the table is full of busy buckets: c1 goes
  CHECK_FALSE(limiter.admit("t1", "c1"));  // so c1 starts over (c2 goes)
  CHECK(limiter.admit("t1", "c1"));
  std::string text;
  limiter.metrics_text(text);
  CHECK(text.find("turno_rate_limit_buckets{scope=\"client\"} 2\n") != std::string::npos);
  CHECK(text.find("turno_rate_limit_buckets_max{scope=\"client\"} 2\n") != std::string::npos);
  CHECK(text.find("turno_rate_limit_buckets_evicted_busy_total{scope=\"client\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("turno_rate_limit_rejections_total{scope=\"client\",tenant=\"t1\"} 1\n") !=
        std::string::npos);

  clock.advance(1'000);  // every bucket full again: dropped as idle, not counted as busy
  CHECK_FALSE(limiter.admit("t1", "c4"));
  CHECK_FALSE(limiter.admit("t1", "c5"));
  text.clear();
  limiter.metrics_text(text);
  CHECK(text.find("turno_rate_limit_buckets_evicted_busy_total{scope=\"client\"} 2\n") !=
        std::string::npos);
}

TEST_CASE("a bucket counts in whole units: slow rates accrue exactly, long idle spells fill it") {
  const RateLimit half_per_second = *parse_rate_limit("0.5,1");
  TokenBucket bucket(half_per_second, 0);
  REQUIRE(bucket.take(half_per_second, 0));
  CHECK(bucket.wait_ms(half_per_second) == 2000);
  // Asked every millisecond, the bucket still earns its token at exactly 2 s.
  std::int64_t granted_at = -1;
  for (std::int64_t now = 1; now <= 2500 && granted_at < 0; ++now) {
    if (bucket.take(half_per_second, now)) granted_at = now;
  }
  CHECK(granted_at == 2000);
  // Years of quiet: full, not overflowed.
  const RateLimit fast = *parse_rate_limit("1000000,1000000");
  TokenBucket big(fast, 0);
  REQUIRE(big.take(fast, 0));
  const std::int64_t years_ms = std::int64_t{50} * 365 * 24 * 3600 * 1000;
  int taken = 0;
  while (taken <= 1'000'000 && big.take(fast, years_ms)) ++taken;
  CHECK(taken == 1'000'000);  // exactly the burst
  CHECK(to_string(*parse_rate_limit("1.25,3")) == "1.25,3");
  CHECK_FALSE(parse_rate_limit("0.0005,3"));
}

}  // namespace
}  // namespace turno::api
