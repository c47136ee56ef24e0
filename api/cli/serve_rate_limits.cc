#include "serve_rate_limits.h"

#include <fstream>

#include "query_string.h"

namespace turno::cli {
namespace {

constexpr std::size_t kOverridesFileBytesMax = 16 << 20;

Result<api::RateLimit> limit_flag(const Flags& flags, std::string_view name) {
  const std::string text = flags.get_or(name, "off");
  const auto limit = api::parse_rate_limit(text);
  if (!limit) {
    return Status::invalid_argument("--" + std::string(name) +
                                    " is RATE,BURST (e.g. 5,20) or off, not '" + text + "'");
  }
  return *limit;
}

Result<std::size_t> bound_flag(const Flags& flags, std::string_view name, std::size_t fallback) {
  const auto text = flags.get(name);
  if (!text) return fallback;
  const auto number = api::whole_number(*text);
  if (!number || *number < 1 || *number > 100'000'000) {
    return Status::invalid_argument("--" + std::string(name) + " is a whole number 1..100000000");
  }
  return static_cast<std::size_t>(*number);
}

Result<std::string> read_overrides_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid_argument("--rate-limits: cannot read " + path);
  std::string text(kOverridesFileBytesMax + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kOverridesFileBytesMax) {
    return Status::invalid_argument("--rate-limits: " + path + " is larger than 16 MiB");
  }
  return text;
}

}  // namespace

std::vector<FlagSpec> rate_limit_flags() {
  return {
      {"rate-limit-client",
       "each client's (token sub) limit on commands and availability: "
       "RATE,BURST per second, or off",
       true, "5,20"},
      {"rate-limit-tenant",
       "each tenant's limit on commands and availability, all its clients "
       "together: RATE,BURST, or off",
       true, "200,400"},
      {"rate-limits",
       "file of per-tenant overrides: TENANT [client=RATE,BURST] "
       "[tenant=RATE,BURST] a line"},
      {"rate-limit-clients-max", "client buckets tracked; beyond, the least recently used goes",
       true, "100000"},
      {"rate-limit-tenants-max", "tenant buckets tracked", true, "10000"},
  };
}

Result<api::RateLimitOptions> read_rate_limits(const Flags& flags) {
  api::RateLimitOptions options;
  const auto client = limit_flag(flags, "rate-limit-client");
  if (!client.is_ok()) return client.status();
  const auto tenant = limit_flag(flags, "rate-limit-tenant");
  if (!tenant.is_ok()) return tenant.status();
  options.defaults = {client.value(), tenant.value()};
  const auto clients_max =
      bound_flag(flags, "rate-limit-clients-max", api::kClientBucketsMaxDefault);
  if (!clients_max.is_ok()) return clients_max.status();
  const auto tenants_max =
      bound_flag(flags, "rate-limit-tenants-max", api::kTenantBucketsMaxDefault);
  if (!tenants_max.is_ok()) return tenants_max.status();
  options.client_buckets_max = clients_max.value();
  options.tenant_buckets_max = tenants_max.value();
  if (const auto path = flags.get("rate-limits")) {
    const auto text = read_overrides_file(*path);
    if (!text.is_ok()) return text.status();
    auto overrides = api::parse_rate_limit_overrides(text.value(), options.defaults);
    if (!overrides.is_ok())
      return Status::invalid_argument(*path + ": " + overrides.status().message());
    options.overrides = std::move(overrides).value();
  }
  return options;
}

}  // namespace turno::cli
