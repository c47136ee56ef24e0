// `turno serve`'s rate-limit flags (api/rate_limit.h): the defaults for every tenant, a file of
// per-tenant overrides, and the bounds on buckets tracked.
#pragma once

#include <vector>

#include "flags.h"
#include "rate_limit.h"

namespace turno::cli {

// --rate-limit-client, --rate-limit-tenant, --rate-limits, --rate-limit-clients-max,
// --rate-limit-tenants-max.
std::vector<FlagSpec> rate_limit_flags();

// The limits the flags set (the overrides file read and checked); invalid_argument naming the
// flag or the file's line otherwise.
Result<api::RateLimitOptions> read_rate_limits(const Flags& flags);

}  // namespace turno::cli
