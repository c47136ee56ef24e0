// `turno token`: prints an HS256 bearer token for development, signed with the server's secret.
#include <chrono>
#include <cstdio>

#include "flags.h"
#include "jwt.h"
#include "subcommand.h"

namespace turno::cli {
namespace {

int run_token(int argc, char** argv) {
  Flags flags(argc, argv,
              {{"tenant", "the tenant the token acts in (optional for platform)"},
               {"role", "client | staff | admin | auditor | platform"},
               {"sub", "the subject: a user, client or staff id"},
               {"site", "staff tokens: their site"},
               {"staff", "staff tokens: their staff id"},
               {"ttl-s", "seconds until the token expires", true, "86400"},
               {"jwt-secret", "HS256 secret (the server's)"},
               {"help", "show this help", false}});
  if (flags.has("help")) return std::printf("%s", flags.usage("token").c_str()), 0;
  api::Principal principal;
  principal.tenant = flags.get_or("tenant", "");
  principal.role = api::role_from_name(flags.get_or("role", ""));
  principal.subject = flags.get_or("sub", "");
  principal.site = flags.get_or("site", "");
  principal.staff = flags.get_or("staff", "");
  const auto ttl_s = flags.get_int("ttl-s");
  const std::string secret = flags.get_or("jwt-secret", "");
  std::string problem = flags.error();
  if (problem.empty() && principal.role == v1::ROLE_UNSPECIFIED)
    problem = "--role must be client, staff, admin, auditor or platform";
  if (problem.empty() && principal.subject.empty()) problem = "--sub is required";
  if (problem.empty() && principal.tenant.empty() && principal.role != v1::ROLE_PLATFORM)
    problem = "--tenant is required";
  if (problem.empty() && secret.empty()) problem = "--jwt-secret (or TURNO_JWT_SECRET) is required";
  if (!problem.empty()) {
    std::fprintf(stderr, "turno token: %s\n%s", problem.c_str(), flags.usage("token").c_str());
    return 2;
  }
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  principal.expires_at_s = now_s + ttl_s.value_or(86400);
  std::printf("%s\n", api::sign_hs256(principal, secret).c_str());
  return 0;
}

}  // namespace
}  // namespace turno::cli

TURNO_SUBCOMMAND("token", "print a development bearer token (HS256)", turno::cli::run_token);
