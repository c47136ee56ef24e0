#include "jwt.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>

#include "crypto.h"
#include "json_reader.h"
#include "json_writer.h"

namespace turno::api {
namespace {

constexpr std::array<std::pair<v1::Role, std::string_view>, 5> kRoleNames = {{
    {v1::ROLE_CLIENT, "client"},
    {v1::ROLE_STAFF, "staff"},
    {v1::ROLE_ADMIN, "admin"},
    {v1::ROLE_AUDITOR, "auditor"},
    {v1::ROLE_PLATFORM, "platform"},
}};

Status refuse(std::string detail) {
  return Status::invalid_argument(std::move(detail));
}

// A raw ES256 signature (r || s, 32 bytes each) as the DER that OpenSSL verifies.
std::optional<std::string> ecdsa_der(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* signature = ECDSA_SIG_new();
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  ECDSA_SIG_set0(signature, r, s);
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(signature, &der);
  ECDSA_SIG_free(signature);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

bool verify_with_key(evp_pkey_st* key, std::string_view message, std::string_view signature) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  EVP_MD_CTX_free(context);
  return ok;
}

// A PEM public key, or null.
evp_pkey_st* read_public_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  evp_pkey_st* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

// Reads the claims object into a principal, or says what is wrong with it.
Result<Principal> read_claims(simdjson::dom::object claims, std::int64_t now_s) {
  if (const auto repeated = first_repeated_member(claims)) {
    return refuse("the token's claims give " + std::string(*repeated) + " twice");
  }
  Principal principal;
  auto text = [&](std::string_view name, std::string& out) -> bool {
    simdjson::dom::element element;
    if (claims.at_key(name).get(element)) return true;  // absent
    std::string_view value;
    if (element.get_string().get(value) || value.size() > kClaimBytesMax) return false;
    out = std::string(value);
    return true;
  };
  std::string role;
  if (!text("sub", principal.subject) || !text("tenant", principal.tenant) || !text("role", role) ||
      !text("site", principal.site) || !text("staff", principal.staff)) {
    return refuse("a claim of the token has the wrong type or is too long");
  }
  principal.role = role_from_name(role);
  if (principal.role == v1::ROLE_UNSPECIFIED) return refuse("the token's role is not known");
  if (principal.subject.empty()) return refuse("the token has no sub");
  if (principal.tenant.empty() && principal.role != v1::ROLE_PLATFORM) {
    return refuse("the token has no tenant");
  }
  if (principal.role == v1::ROLE_STAFF && (principal.site.empty() || principal.staff.empty())) {
    return refuse("a staff token needs site and staff");
  }
  // Both instants are whole Unix seconds: a string or a fraction is refused, never skipped.
  std::int64_t exp = 0;
  std::int64_t nbf = 0;
  if (claims.at_key("exp").get_int64().get(exp)) {
    return refuse("the token's exp is missing or not a whole number of seconds");
  }
  if (now_s > exp + kClockSkewS) return refuse("the token has expired");
  simdjson::dom::element not_before;
  if (!claims.at_key("nbf").get(not_before)) {
    if (not_before.get_int64().get(nbf)) {
      return refuse("the token's nbf is not a whole number of seconds");
    }
    if (now_s + kClockSkewS < nbf) return refuse("the token is not valid yet");
  }
  principal.expires_at_s = exp;
  return principal;
}

}  // namespace

v1::Role role_from_name(std::string_view name) {
  for (const auto& [role, candidate] : kRoleNames) {
    if (candidate == name) return role;
  }
  return v1::ROLE_UNSPECIFIED;
}

std::string_view role_name(v1::Role role) {
  for (const auto& [candidate, name] : kRoleNames) {
    if (candidate == role) return name;
  }
  return role == v1::ROLE_SYSTEM ? "system" : "unspecified";
}

Result<std::shared_ptr<const JwtVerifier>> JwtVerifier::create(const JwtKeys& keys) {
  std::shared_ptr<JwtVerifier> verifier(new JwtVerifier());
  verifier->hs256_secret_ = keys.hs256_secret;
  if (keys.own_keys.size() > kOwnKeysMax) {
    return Status::invalid_argument("more than " + std::to_string(kOwnKeysMax) + " own keys");
  }
  for (const OwnKey& own : keys.own_keys) {
    evp_pkey_st* key = read_public_pem(own.public_key_pem);
    const bool p256 =
        key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC && EVP_PKEY_get_bits(key) == 256;
    verifier->own_keys_.emplace_back(own.kid, key);  // freed with the verifier
    if (own.kid.empty() || !p256) {
      return Status::invalid_argument("own key " + own.kid + " is not a named P-256 public key");
    }
  }
  if (keys.public_key_pem.empty()) return std::shared_ptr<const JwtVerifier>(verifier);
  verifier->public_key_ = read_public_pem(keys.public_key_pem);
  if (verifier->public_key_ == nullptr) {
    return Status::invalid_argument("the JWT public key is not a PEM public key");
  }
  const int type = EVP_PKEY_get_base_id(verifier->public_key_);
  if (type == EVP_PKEY_RSA) {
    verifier->public_algorithm_ = "RS256";
  } else if (type == EVP_PKEY_EC && EVP_PKEY_get_bits(verifier->public_key_) == 256) {
    verifier->public_algorithm_ = "ES256";
  } else {
    return Status::invalid_argument("the JWT public key must be RSA or EC P-256");
  }
  return std::shared_ptr<const JwtVerifier>(verifier);
}

JwtVerifier::~JwtVerifier() {
  EVP_PKEY_free(public_key_);
  for (auto& [kid, key] : own_keys_) EVP_PKEY_free(key);
}

bool JwtVerifier::signature_ok(std::string_view algorithm, std::string_view kid,
                               std::string_view signed_part, std::string_view signature) const {
  for (const auto& [own_kid, own_key] : own_keys_) {
    if (kid.empty() || own_kid != kid) continue;
    const auto der = ecdsa_der(signature);  // Turno's own tokens are ES256, nothing else
    return algorithm == "ES256" && der && verify_with_key(own_key, signed_part, *der);
  }
  if (algorithm == "HS256") {
    return !hs256_secret_.empty() &&
           constant_time_equal(hmac_sha256(hs256_secret_, signed_part), signature);
  }
  if (public_key_ == nullptr || algorithm != public_algorithm_) return false;
  if (algorithm == "RS256") return verify_with_key(public_key_, signed_part, signature);
  const auto der = ecdsa_der(signature);
  return der && verify_with_key(public_key_, signed_part, *der);
}

Result<Principal> JwtVerifier::verify(std::string_view token, std::int64_t now_s) const {
  if (token.size() > kTokenBytesMax) return refuse("the token is too long");
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot == token.npos ? 0 : first_dot + 1);
  if (first_dot == token.npos || second_dot == token.npos ||
      token.find('.', second_dot + 1) != token.npos) {
    return refuse("the token is not a signed JWT (header.claims.signature)");
  }
  const auto header = base64url_decode(token.substr(0, first_dot));
  const auto signature = base64url_decode(token.substr(second_dot + 1));
  if (!header || !signature) return refuse("the token is not base64url");
  simdjson::dom::object header_object;
  std::string_view algorithm;
  if (parse_json_object(*header, header_object) ||
      header_object.at_key("alg").get_string().get(algorithm)) {
    return refuse("the token's header names no algorithm");
  }
  if (first_repeated_member(header_object)) return refuse("the token's header repeats a member");
  std::string_view kid;
  if (auto member = header_object.at_key("kid");
      member.error() == simdjson::SUCCESS && member.get_string().get(kid)) {
    return refuse("the token's kid is not a string");
  }
  if (algorithm != "HS256" && algorithm != "RS256" && algorithm != "ES256") {
    return refuse("the token's algorithm is not accepted");
  }
  if (!signature_ok(algorithm, kid, token.substr(0, second_dot), *signature)) {
    return refuse("the token's signature does not verify");
  }
  const auto claims = base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1));
  simdjson::dom::object claims_object;
  if (!claims || parse_json_object(*claims, claims_object)) {
    return refuse("the token's claims are not a JSON object");
  }
  return read_claims(claims_object, now_s);
}

std::string sign_hs256(const Principal& principal, std::string_view secret) {
  JsonWriter claims;
  claims.begin_object().field("sub", principal.subject).field("role", role_name(principal.role));
  if (!principal.tenant.empty()) claims.field("tenant", principal.tenant);
  if (!principal.site.empty()) claims.field("site", principal.site);
  if (!principal.staff.empty()) claims.field("staff", principal.staff);
  claims.field("exp", principal.expires_at_s).end_object();
  const std::string signed_part =
      base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url_encode(claims.take());
  return signed_part + "." + base64url_encode(hmac_sha256(secret, signed_part));
}

}  // namespace turno::api
