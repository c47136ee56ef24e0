#include "rate_limit.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <sstream>

#include "metrics.h"

namespace turno::api {
namespace {

constexpr std::int64_t kRateMilliPerSecondMax = 1'000'000'000;  // a million per second
constexpr std::size_t kRateDecimalsMax = 3;                     // "0.125" at the finest
constexpr std::int64_t kBurstMax = 1'000'000;
constexpr std::string_view kDefaultsLabel = "*";
constexpr std::string_view kOtherTenantsLabel = "_other";

// "0.5" -> 500 (thousandths): digits, then optionally '.' and 1 to 3 digits; nullopt otherwise.
std::optional<std::int64_t> rate_milli(std::string_view text) {
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 7 || (dot != std::string_view::npos && fraction.empty()) ||
      fraction.size() > kRateDecimalsMax) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  std::int64_t scale = 100;
  value *= 1000;
  for (const char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value;
}

// 500 -> "0.5", 10000 -> "10", 1250 -> "1.25".
std::string rate_text(std::int64_t milli) {
  std::string text = std::to_string(milli / 1000);
  if (std::int64_t rest = milli % 1000; rest != 0) {
    std::string digits = std::to_string(1000 + rest).substr(1);
    while (digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text;
}

// "client=10,20" or "tenant=off" into `limits`; false when it is neither.
bool read_setting(std::string_view word, TenantRateLimits& limits) {
  const auto equals = word.find('=');
  if (equals == std::string_view::npos) return false;
  const std::string_view name = word.substr(0, equals);
  const std::optional<RateLimit> limit = parse_rate_limit(word.substr(equals + 1));
  if (!limit) return false;
  if (name == "client") {
    limits.client = *limit;
  } else if (name == "tenant") {
    limits.tenant = *limit;
  } else {
    return false;
  }
  return true;
}

// One gauge of the configured limits (the rate or the burst), for the defaults and every
// override: a family's samples must be together.
template <typename Value>
void write_limits(std::string& out, const RateLimitOptions& options, std::string_view name,
                  Value (*value)(const RateLimit&)) {
  auto write = [&](std::string_view tenant, const TenantRateLimits& limits) {
    const std::string escaped = prometheus_label(tenant);
    out += fmt::format("{}{{scope=\"client\",tenant=\"{}\"}} {}\n", name, escaped,
                       value(limits.client));
    out += fmt::format("{}{{scope=\"tenant\",tenant=\"{}\"}} {}\n", name, escaped,
                       value(limits.tenant));
  };
  write(kDefaultsLabel, options.defaults);
  for (const auto& [tenant, limits] : options.overrides) write(tenant, limits);
}

std::string rate_of(const RateLimit& limit) {
  return rate_text(limit.rate_milli_per_s);
}
std::int64_t burst_of(const RateLimit& limit) {
  return limit.burst;
}

}  // namespace

std::optional<RateLimit> parse_rate_limit(std::string_view text) {
  if (text == "off") return RateLimit{};
  const auto comma = text.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  const std::optional<std::int64_t> rate = rate_milli(text.substr(0, comma));
  const std::string_view burst_text = text.substr(comma + 1);
  RateLimit limit;
  const auto burst =
      std::from_chars(burst_text.data(), burst_text.data() + burst_text.size(), limit.burst);
  if (!rate || *rate < 1 || *rate > kRateMilliPerSecondMax || burst.ec != std::errc() ||
      burst.ptr != burst_text.data() + burst_text.size() || limit.burst < 1 ||
      limit.burst > kBurstMax) {
    return std::nullopt;
  }
  limit.rate_milli_per_s = *rate;
  return limit;
}

std::string to_string(const RateLimit& limit) {
  return limit.enabled() ? rate_text(limit.rate_milli_per_s) + "," + std::to_string(limit.burst)
                         : "off";
}

Result<RateLimitOverrides> parse_rate_limit_overrides(std::string_view text,
                                                      const TenantRateLimits& defaults) {
  RateLimitOverrides overrides;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string tenant;
    if (!(words >> tenant)) continue;
    TenantRateLimits limits = defaults;
    for (std::string word; words >> word;) {
      if (!read_setting(word, limits)) {
        return Status::invalid_argument(fmt::format(
            "rate limits line {}: '{}' is not client=RATE,BURST, tenant=RATE,BURST or =off", number,
            word));
      }
    }
    if (!overrides.emplace(tenant, limits).second) {
      return Status::invalid_argument(
          fmt::format("rate limits line {}: tenant {} is listed twice", number, tenant));
    }
    if (overrides.size() > kRateLimitOverridesMax) {
      return Status::invalid_argument(
          fmt::format("rate limits: more than {} tenants", kRateLimitOverridesMax));
    }
  }
  return overrides;
}

bool RateLimitOptions::enabled() const {
  if (defaults.client.enabled() || defaults.tenant.enabled()) return true;
  for (const auto& [tenant, limits] : overrides) {
    if (limits.client.enabled() || limits.tenant.enabled()) return true;
  }
  return false;
}

bool rate_limited_route(const Route& route) {
  if (route.roles == kPublic || route.pattern.starts_with("/v1/webhooks/")) return false;
  return route.method != http::verb::get || route.pattern == "/v1/availability";
}

std::string_view to_string(RateLimitScope scope) {
  return scope == RateLimitScope::kClient ? "client" : "tenant";
}

RateLimiter::RateLimiter(RateLimitOptions options)
    : options_(std::move(options)),
      clients_(options_.client_buckets_max),
      tenants_(options_.tenant_buckets_max) {}

std::int64_t RateLimiter::now_ms() const {
  if (options_.monotonic_clock != nullptr) return options_.monotonic_clock->now_ms();
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

const TenantRateLimits& RateLimiter::limits_for(std::string_view tenant) const {
  const auto found = options_.overrides.find(tenant);
  return found == options_.overrides.end() ? options_.defaults : found->second;
}

void RateLimiter::count_rejection(RateLimitScope scope, std::string_view tenant) {
  auto& counts = scope == RateLimitScope::kClient ? client_rejections_ : tenant_rejections_;
  auto found = counts.find(tenant);
  if (found == counts.end()) {
    const bool room = counts.size() < kRejectionTenantsMax;
    found = counts.emplace(room ? std::string(tenant) : std::string(kOtherTenantsLabel), 0).first;
  }
  ++found->second;
}

std::optional<RateLimitRefusal> RateLimiter::admit(std::string_view tenant,
                                                   std::string_view subject) {
  const TenantRateLimits& limits = limits_for(tenant);
  if (!limits.client.enabled() && !limits.tenant.enabled()) return std::nullopt;
  std::string client_key;
  client_key.append(tenant).push_back('\0');
  client_key.append(subject);
  std::lock_guard lock(mutex_);
  const std::int64_t now = now_ms();
  TokenBucket* client = nullptr;
  if (limits.client.enabled()) {
    client = &clients_.at(client_key, limits.client, now);
    if (!client->take(limits.client, now)) {
      count_rejection(RateLimitScope::kClient, tenant);
      return RateLimitRefusal{RateLimitScope::kClient, limits.client,
                              (client->wait_ms(limits.client) + 999) / 1000};
    }
  }
  if (limits.tenant.enabled()) {
    TokenBucket& shared = tenants_.at(tenant, limits.tenant, now);
    if (!shared.take(limits.tenant, now)) {
      if (client != nullptr) client->give_back(limits.client);
      count_rejection(RateLimitScope::kTenant, tenant);
      return RateLimitRefusal{RateLimitScope::kTenant, limits.tenant,
                              (shared.wait_ms(limits.tenant) + 999) / 1000};
    }
  }
  return std::nullopt;
}

void RateLimiter::metrics_text(std::string& out) const {
  std::lock_guard lock(mutex_);
  out += "# HELP turno_rate_limit_rejections_total Requests answered 429 by a rate limit.\n";
  out += "# TYPE turno_rate_limit_rejections_total counter\n";
  for (const auto& [scope, counts] :
       {std::pair{"client", &client_rejections_}, std::pair{"tenant", &tenant_rejections_}}) {
    for (const auto& [tenant, count] : *counts) {
      out += fmt::format("turno_rate_limit_rejections_total{{scope=\"{}\",tenant=\"{}\"}} {}\n",
                         scope, prometheus_label(tenant), count);
    }
  }
  out +=
      "# HELP turno_rate_limit_rate_per_second Tokens per second; 0 is off. tenant=\"*\": "
      "the default.\n# TYPE turno_rate_limit_rate_per_second gauge\n";
  write_limits(out, options_, "turno_rate_limit_rate_per_second", rate_of);
  out += "# HELP turno_rate_limit_burst Bucket size; 0 is off.\n";
  out += "# TYPE turno_rate_limit_burst gauge\n";
  write_limits(out, options_, "turno_rate_limit_burst", burst_of);
  const std::pair<const char*, const BucketTable*> tables[] = {{"client", &clients_},
                                                               {"tenant", &tenants_}};
  out += "# HELP turno_rate_limit_buckets Buckets tracked.\n";
  out += "# TYPE turno_rate_limit_buckets gauge\n";
  for (const auto& [scope, table] : tables) {
    out += fmt::format("turno_rate_limit_buckets{{scope=\"{}\"}} {}\n", scope, table->size());
  }
  out += "# HELP turno_rate_limit_buckets_max The bound on buckets tracked.\n";
  out += "# TYPE turno_rate_limit_buckets_max gauge\n";
  for (const auto& [scope, table] : tables) {
    out += fmt::format("turno_rate_limit_buckets_max{{scope=\"{}\"}} {}\n", scope,
                       table->buckets_max());
  }
  out +=
      "# HELP turno_rate_limit_buckets_evicted_busy_total Buckets dropped at the bound "
      "before they were full again.\n";
  out += "# TYPE turno_rate_limit_buckets_evicted_busy_total counter\n";
  for (const auto& [scope, table] : tables) {
    out += fmt::format("turno_rate_limit_buckets_evicted_busy_total{{scope=\"{}\"}} {}\n", scope,
                       table->evicted_busy());
  }
}

Problem rate_limit_problem(const RateLimitRefusal& refusal, std::string_view tenant) {
  const std::string_view scope = to_string(refusal.scope);
  const std::string who = refusal.scope == RateLimitScope::kClient
                              ? fmt::format("each client of tenant {}", tenant)
                              : fmt::format("tenant {} as a whole", tenant);
  Problem problem = make_problem(
      http::status::too_many_requests, "rate_limited",
      fmt::format("{} rate limit: {} requests per second, burst {}, for {}; retry in {} s", scope,
                  rate_text(refusal.limit.rate_milli_per_s), refusal.limit.burst, who,
                  refusal.retry_after_s));
  problem.with("limit", std::string(scope));
  problem.retry_after_s = static_cast<int>(std::max<std::int64_t>(refusal.retry_after_s, 1));
  return problem;
}

}  // namespace turno::api
