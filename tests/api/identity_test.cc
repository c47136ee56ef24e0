// Turno's own identity: password rules and Argon2id hashes; ES256 tokens with a kid, verified
// by the API's own verifier and, from the JWKS document alone, by an independent JWT library
// (PyJWT with python3-cryptography).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "crypto.h"
#include "jwt.h"
#include "password.h"
#include "temp_dir.h"
#include "token_signer.h"

namespace turno::identity {
namespace {

constexpr std::int64_t kNowS = 1'780'000'000;

TEST_CASE("passwords: what may be one, named without repeating it") {
  CHECK_FALSE(password_problem("correct horse").has_value());
  CHECK_FALSE(password_problem("contraseña").has_value());  // 10 characters, 11 bytes
  CHECK_FALSE(password_problem(std::string(kPasswordBytesMax, 'a')).has_value());
  CHECK(password_problem("seven77").value().find("at least 8") != std::string::npos);
  CHECK(password_problem("ñññññññ").has_value());  // 7 characters in 14 bytes: too short
  CHECK(password_problem(std::string(kPasswordBytesMax + 1, 'a')).value().find("longer") !=
        std::string::npos);
  CHECK(password_problem(std::string("tab\there!", 9)).has_value());
  CHECK(password_problem("bad \xff utf-8 text").has_value());
  CHECK(password_problem("cut \xc3").has_value());
  CHECK(password_problem("overlong \xc0\xaf slash").has_value());
  CHECK(password_problem("surrogate \xed\xa0\x80 half").has_value());
  CHECK(password_problem("c1 control \xc2\x85 here").has_value());
  CHECK_FALSE(password_problem("no-break\xc2\xa0space ok").has_value());
  const auto problem = password_problem("hunter2");
  REQUIRE(problem.has_value());
  CHECK(problem->find("hunter2") == std::string::npos);
}

TEST_CASE("passwords: an Argon2id hash with its parameters, verified and refused") {
  const Result<std::string> hashed = hash_password("correct horse battery");
  REQUIRE(hashed.is_ok());
  const std::string& stored = hashed.value();
  CHECK(stored.starts_with("$argon2id$"));
  CHECK(stored.find("m=65536,t=2,p=1") != std::string::npos);
  CHECK(stored.find("correct horse") == std::string::npos);
  CHECK(verify_password(stored, "correct horse battery"));
  CHECK_FALSE(verify_password(stored, "correct horse batterY"));
  CHECK_FALSE(verify_password(stored, ""));
  CHECK_FALSE(password_needs_rehash(stored));
  // Salted: the same password hashes differently each time, and both verify.
  const Result<std::string> again = hash_password("correct horse battery");
  REQUIRE(again.is_ok());
  CHECK(again.value() != stored);
  CHECK(verify_password(again.value(), "correct horse battery"));
  // Malformed or foreign hashes never verify, and ask for a re-hash.
  CHECK_FALSE(verify_password("", "x"));
  CHECK_FALSE(verify_password("$argon2id$v=19$garbage", "correct horse battery"));
  CHECK_FALSE(verify_password(std::string(500, '$'), "correct horse battery"));
  CHECK(password_needs_rehash("$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA"));
  CHECK(password_needs_rehash(""));
}

TEST_CASE("tokens: ES256 with the signing key's kid, verified by the API's verifier") {
  const SigningKeyRecord old_key = generate_signing_key(kNowS - 86'400);
  const SigningKeyRecord new_key = generate_signing_key(kNowS);
  CHECK(old_key.kid.size() == 32);
  CHECK(old_key.kid != new_key.kid);
  const auto signer = TokenSigner::create({old_key, new_key});
  REQUIRE(signer.is_ok());
  CHECK(signer.value()->signing_kid() == new_key.kid);
  const std::string claims =
      R"({"sub":"acc_1","tenant":"t1","role":"client","exp":)" + std::to_string(kNowS + 600) + "}";
  const std::string token = signer.value()->sign(claims);
  const std::string header = api::base64url_decode(token.substr(0, token.find('.'))).value();
  CHECK(header == R"({"alg":"ES256","typ":"JWT","kid":")" + new_key.kid + "\"}");

  const auto verifier = api::JwtVerifier::create({"", signer.value()->signing_public_pem(), {}});
  REQUIRE(verifier.is_ok());
  const auto principal = verifier.value()->verify(token, kNowS);
  REQUIRE(principal.is_ok());
  CHECK(principal.value().subject == "acc_1");
  CHECK(principal.value().tenant == "t1");
  CHECK(principal.value().role == v1::ROLE_CLIENT);
  // One changed byte of the claims, or a token of the retired key, does not verify with it.
  std::string tampered = token;
  tampered[token.find('.') + 3] ^= 1;
  CHECK_FALSE(verifier.value()->verify(tampered, kNowS).is_ok());
  const auto old_only = TokenSigner::create({old_key});
  REQUIRE(old_only.is_ok());
  CHECK_FALSE(verifier.value()->verify(old_only.value()->sign(claims), kNowS).is_ok());
}

TEST_CASE("tokens: the verifier picks Turno's own key by kid, an external key otherwise") {
  const SigningKeyRecord old_key = generate_signing_key(kNowS - 86'400);
  const SigningKeyRecord new_key = generate_signing_key(kNowS);
  const auto signer = TokenSigner::create({old_key, new_key});
  const auto old_signer = TokenSigner::create({old_key});
  const auto stranger = TokenSigner::create({generate_signing_key(kNowS)});
  REQUIRE((signer.is_ok() && old_signer.is_ok() && stranger.is_ok()));
  const std::string claims =
      R"({"sub":"acc_1","tenant":"t1","role":"admin","exp":)" + std::to_string(kNowS + 600) + "}";
  api::JwtKeys keys;
  keys.hs256_secret = "s3cret";  // an external HS256 issuer beside Turno's own keys
  keys.own_keys = signer.value()->own_keys();
  const auto verifier = api::JwtVerifier::create(keys);
  REQUIRE(verifier.is_ok());
  CHECK(verifier.value()->verify(signer.value()->sign(claims), kNowS).is_ok());
  CHECK(verifier.value()->verify(old_signer.value()->sign(claims), kNowS).is_ok());  // retired
  // A key that is not published, under its own kid: nothing verifies it.
  CHECK_FALSE(verifier.value()->verify(stranger.value()->sign(claims), kNowS).is_ok());
  // A token of the old key relabelled with the new key's kid: checked with the new key, refused.
  const std::string old_token = old_signer.value()->sign(claims);
  const std::string relabelled_header =
      api::base64url_encode(R"({"alg":"ES256","typ":"JWT","kid":")" + new_key.kid + "\"}");
  CHECK_FALSE(verifier.value()
                  ->verify(relabelled_header + old_token.substr(old_token.find('.')), kNowS)
                  .is_ok());
  // An own kid with another algorithm is refused, even with a valid HS256 signature.
  const std::string hs_part =
      api::base64url_encode(R"({"alg":"HS256","kid":")" + new_key.kid + "\"}") + "." +
      api::base64url_encode(claims);
  CHECK_FALSE(
      verifier.value()
          ->verify(hs_part + "." + api::base64url_encode(api::hmac_sha256("s3cret", hs_part)),
                   kNowS)
          .is_ok());
  // The external HS256 issuer still verifies, with or without a kid of its own.
  const std::string external = api::base64url_encode(R"({"alg":"HS256","kid":"idp-1"})") + "." +
                               api::base64url_encode(claims);
  CHECK(verifier.value()
            ->verify(external + "." + api::base64url_encode(api::hmac_sha256("s3cret", external)),
                     kNowS)
            .is_ok());
  // A kid that is not a string is refused; so are own keys that are not P-256 public keys.
  const std::string odd =
      api::base64url_encode(R"({"alg":"HS256","kid":7})") + "." + api::base64url_encode(claims);
  CHECK_FALSE(
      verifier.value()
          ->verify(odd + "." + api::base64url_encode(api::hmac_sha256("s3cret", odd)), kNowS)
          .is_ok());
  CHECK_FALSE(api::JwtVerifier::create({"", "", {api::OwnKey{"k1", "not a pem"}}}).is_ok());
  CHECK_FALSE(
      api::JwtVerifier::create({"", "", {api::OwnKey{"", signer.value()->signing_public_pem()}}})
          .is_ok());
}

TEST_CASE("tokens: keys refused when missing, repeated, too many or not P-256") {
  const SigningKeyRecord key = generate_signing_key(kNowS);
  CHECK_FALSE(TokenSigner::create({}).is_ok());
  CHECK_FALSE(TokenSigner::create({key, key}).is_ok());
  CHECK_FALSE(TokenSigner::create({SigningKeyRecord{"k\"1", key.private_pem, kNowS}}).is_ok());
  CHECK_FALSE(TokenSigner::create({SigningKeyRecord{"k1", "not a pem", kNowS}}).is_ok());
  std::vector<SigningKeyRecord> many;
  for (std::size_t i = 0; i <= kSigningKeysMax; ++i) many.push_back(generate_signing_key(kNowS));
  CHECK_FALSE(TokenSigner::create(many).is_ok());
}

// Runs `script` with Debian's python3 (python3-jwt, python3-cryptography); its exit status.
int python(const std::string& script, const testing::TempDir& dir) {
  const std::string path = dir.path() + "/check.py";
  std::ofstream(path) << script;
  return std::system((std::string(TURNO_PYTHON3) + " " + path).c_str());
}

TEST_CASE("tokens: an independent JWT library verifies them from the JWKS document alone") {
  const SigningKeyRecord old_key = generate_signing_key(kNowS - 86'400);
  const SigningKeyRecord new_key = generate_signing_key(kNowS);
  const auto signer = TokenSigner::create({old_key, new_key});
  REQUIRE(signer.is_ok());
  const auto old_signer = TokenSigner::create({old_key});
  REQUIRE(old_signer.is_ok());
  const std::string claims = R"({"sub":"acc_1","tenant":"t1","role":"staff","site":"lima","exp":)" +
                             std::to_string(kNowS + 600) + "}";
  testing::TempDir dir;
  std::ofstream(dir.path() + "/jwks.json") << signer.value()->jwks_json();
  std::ofstream(dir.path() + "/new.jwt") << signer.value()->sign(claims);
  std::ofstream(dir.path() + "/old.jwt") << old_signer.value()->sign(claims);
  std::string forged = signer.value()->sign(claims);
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
  std::ofstream(dir.path() + "/forged.jwt") << forged;
  // PyJWT picks the key by kid from the JWKS, checks alg, signature and exp.
  const std::string script = R"(
import json, sys, jwt
d = ")" + dir.path() + R"("
jwks = jwt.PyJWKSet.from_json(open(d + "/jwks.json").read())
keys = {k.key_id: k for k in jwks.keys}
assert len(keys) == 2, keys
def check(name):
    token = open(d + "/" + name).read()
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.decode(token, keys[kid].key, algorithms=["ES256"],
                      options={"verify_exp": False})
claims = check("new.jwt")
assert claims["sub"] == "acc_1" and claims["site"] == "lima", claims
assert check("old.jwt")["role"] == "staff"   # a retired key still published verifies
try:
    check("forged.jwt")
    sys.exit(3)
except jwt.InvalidSignatureError:
    pass
)";
  CHECK(python(script, dir) == 0);
}

}  // namespace
}  // namespace turno::identity
