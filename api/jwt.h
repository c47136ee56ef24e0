// Bearer tokens: JSON Web Tokens (RFC 7519) signed HS256 (shared secret) or RS256/ES256 (the
// identity provider's public key, PEM), or ES256 by one of Turno's own keys, chosen by the
// header's `kid` (identity/token_signer.h). `alg: none` and any other algorithm are refused.
//
// Claims: sub, tenant, role (client | staff | admin | auditor | platform), exp (whole Unix
// seconds, required), nbf (whole Unix seconds, optional); site and staff for staff tokens.
// Platform tokens may omit the tenant. A claim of the wrong type is refused, never skipped, and
// so is a header or claims object that gives a member twice.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events.pb.h"
#include "status.h"

struct evp_pkey_st;

namespace turno::api {

inline constexpr std::size_t kTokenBytesMax = 8192;
inline constexpr std::size_t kClaimBytesMax = 128;
inline constexpr std::int64_t kClockSkewS = 30;  // leeway on exp and nbf

// Who is calling, from a verified token.
struct Principal {
  std::string subject;
  std::string tenant;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string site;
  std::string staff;
  std::int64_t expires_at_s = 0;
};

// Turno's own signing key, public half (identity/token_signer.h): a P-256 key named by kid.
struct OwnKey {
  std::string kid;
  std::string public_key_pem;
};
inline constexpr std::size_t kOwnKeysMax = 8;

struct JwtKeys {
  std::string hs256_secret;    // empty: HS256 refused
  std::string public_key_pem;  // RSA (RS256) or EC P-256 (ES256); empty: none
  // Turno's own keys: a token whose header names one of these kids is verified ES256 with that
  // key and no other; any other token (an external provider's, whatever its kid) as above.
  std::vector<OwnKey> own_keys;
};

class JwtVerifier {
 public:
  // Fails when the PEM does not hold an RSA or EC P-256 public key.
  static Result<std::shared_ptr<const JwtVerifier>> create(const JwtKeys& keys);
  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // The principal of a valid, unexpired `token` at `now_s`, or why not (a sentence, never the
  // secret).
  Result<Principal> verify(std::string_view token, std::int64_t now_s) const;

 private:
  JwtVerifier() = default;
  bool signature_ok(std::string_view algorithm, std::string_view kid, std::string_view signed_part,
                    std::string_view signature) const;
  std::string hs256_secret_;
  evp_pkey_st* public_key_ = nullptr;
  std::string public_algorithm_;                                // "RS256" or "ES256"
  std::vector<std::pair<std::string, evp_pkey_st*>> own_keys_;  // kid -> P-256 public key
};

// An HS256 token for `principal` (for `turno token`, tests and benchmarks).
std::string sign_hs256(const Principal& principal, std::string_view secret);

// "client" <-> ROLE_CLIENT, ...; ROLE_UNSPECIFIED for anything else (system included).
v1::Role role_from_name(std::string_view name);
std::string_view role_name(v1::Role role);

}  // namespace turno::api
