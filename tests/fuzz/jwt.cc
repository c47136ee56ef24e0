// JWT parsing: a raw token, or a header and claims of the fuzzer's that this target signs with
// the verifier's secret (so claim parsing is reached). Any bytes give a principal or a refusal;
// an accepted principal keeps the token rules (jwt.h).
#include "jwt.h"

#include "crypto.h"
#include "fuzz_input.h"
#include "targets.h"
#include "verify.h"

namespace turno::fuzz {
namespace {

constexpr std::string_view kSecret = "fuzz-secret";
constexpr std::int64_t kNowS = 1'772'438'400;  // 2026-03-02

const api::JwtVerifier& verifier() {
  static const auto created = api::JwtVerifier::create({std::string(kSecret), {}, {}});
  VERIFY(created.is_ok(), "an HS256 verifier");
  return *created.value();
}

}  // namespace

void jwt(std::string_view input) {
  FuzzInput in(input);
  std::string token;
  if (in.byte() % 2 == 0) {
    token = in.rest();
  } else {
    const std::string_view header = in.field();
    const std::string signed_part =
        api::base64url_encode(header) + "." + api::base64url_encode(in.rest());
    token = signed_part + "." + api::base64url_encode(api::hmac_sha256(kSecret, signed_part));
  }
  const Result<api::Principal> principal = verifier().verify(token, kNowS);
  if (!principal.is_ok()) {
    VERIFY(principal.status().message().find(kSecret) == std::string::npos,
           "a refusal never names the secret");
    return;
  }
  const api::Principal& who = principal.value();
  VERIFY(who.role != v1::ROLE_UNSPECIFIED && who.role != v1::ROLE_SYSTEM, "a known role");
  VERIFY(!who.subject.empty() && who.subject.size() <= api::kClaimBytesMax, "a subject");
  VERIFY(!who.tenant.empty() || who.role == v1::ROLE_PLATFORM, "a tenant unless platform");
  VERIFY(who.expires_at_s >= kNowS - api::kClockSkewS, "not expired");
}

}  // namespace turno::fuzz
