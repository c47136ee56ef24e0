// The API's pure pieces: RFC 3339 times, JWTs (HS256, RS256, ES256; none and unknown refused),
// webhook signatures, the strict JSON reader, the JSON writer and access log, and the router.
#include <doctest/doctest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "access_log.h"
#include "crypto.h"
#include "json_reader.h"
#include "json_writer.h"
#include "jwt.h"
#include "rfc3339.h"
#include "router.h"
#include "webhook.h"

namespace turno::api {
namespace {

constexpr std::int64_t kNowS = 1'772'438'400;

TEST_CASE("RFC 3339 times with offsets become Unix ms and back") {
  CHECK(parse_rfc3339("2026-03-02T08:00:00Z") == 1'772'438'400'000);
  CHECK(parse_rfc3339("2026-03-02T03:00:00-05:00") == 1'772'438'400'000);
  CHECK(parse_rfc3339("2026-03-02T13:30:00.250+05:30") == 1'772'438'400'250);
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
  CHECK(format_rfc3339(1'772'438'400'000) == "2026-03-02T08:00:00Z");
  CHECK(format_rfc3339(1'772'438'400'250) == "2026-03-02T08:00:00.250Z");
  CHECK(format_rfc3339(-1) == "1969-12-31T23:59:59.999Z");
  for (const char* bad : {"2026-02-29T00:00:00Z", "2026-03-02T08:00:00", "2026-03-02 08:00:00Z",
                          "2026-13-01T00:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T08:00:60Z",
                          "2026-03-02T08:00:00+25:00", "2026-03-02T08:00:00.Z", "", "now"}) {
    INFO(bad);
    CHECK(!parse_rfc3339(bad).has_value());
  }
}

Principal staff_principal() {
  return Principal{"ana", "t1", v1::ROLE_STAFF, "lima", "ana", kNowS + 60};
}

TEST_CASE("HS256 tokens verify with the secret; expired, tampered and alg none are refused") {
  auto verifier = JwtVerifier::create({"s3cret", {}, {}}).value();
  const std::string token = sign_hs256(staff_principal(), "s3cret");
  auto verified = verifier->verify(token, kNowS);
  REQUIRE(verified.is_ok());
  CHECK(verified.value().subject == "ana");
  CHECK(verified.value().role == v1::ROLE_STAFF);
  CHECK(verified.value().site == "lima");
  CHECK(!verifier->verify(token, kNowS + 60 + kClockSkewS + 1).is_ok());
  CHECK(!verifier->verify(sign_hs256(staff_principal(), "other"), kNowS).is_ok());
  std::string tampered = token;
  tampered[tampered.find('.') + 3] ^= 1;
  CHECK(!verifier->verify(tampered, kNowS).is_ok());
  const std::string claims =
      token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  CHECK(
      !verifier->verify(base64url_encode(R"({"alg":"none"})") + "." + claims + ".", kNowS).is_ok());
  CHECK(!verifier->verify(base64url_encode(R"({"alg":"HS512"})") + "." + claims + ".x", kNowS)
             .is_ok());
  Principal system = staff_principal();
  system.role = v1::ROLE_SYSTEM;
  CHECK(!verifier->verify(sign_hs256(system, "s3cret"), kNowS).is_ok());
}

// An HS256 token over `claims` exactly as written (the header as given too).
std::string hs256_token(std::string_view claims, std::string_view secret,
                        std::string_view header = R"({"alg":"HS256","typ":"JWT"})") {
  const std::string signed_part = base64url_encode(header) + "." + base64url_encode(claims);
  return signed_part + "." + base64url_encode(hmac_sha256(secret, signed_part));
}

TEST_CASE("exp and nbf must be whole seconds; a claim or header member given twice is refused") {
  auto verifier = JwtVerifier::create({"s3cret", {}, {}}).value();
  const std::string base =
      R"({"sub":"u1","tenant":"t1","role":"admin","exp":)" + std::to_string(kNowS + 60);
  CHECK(verifier->verify(hs256_token(base + "}", "s3cret"), kNowS).is_ok());
  const std::string soon = std::to_string(kNowS + 3600);
  // A future nbf refuses the token whatever its type; before the fix a string or a fraction
  // was skipped and the token accepted.
  CHECK(!verifier->verify(hs256_token(base + R"(,"nbf":)" + soon + "}", "s3cret"), kNowS).is_ok());
  for (const std::string& nbf : {"\"" + soon + "\"", soon + ".5", std::string("null"),
                                 std::to_string(kNowS - 60) + ".0", std::string("true")}) {
    INFO(nbf);
    const auto verified =
        verifier->verify(hs256_token(base + R"(,"nbf":)" + nbf + "}", "s3cret"), kNowS);
    REQUIRE(!verified.is_ok());
    CHECK(verified.status().message().find("nbf") != std::string::npos);
  }
  CHECK(verifier
            ->verify(hs256_token(base + R"(,"nbf":)" + std::to_string(kNowS - 60) + "}", "s3cret"),
                     kNowS)
            .is_ok());
  const std::string late = std::to_string(kNowS + 60);
  for (const std::string& exp : {"\"" + late + "\"", late + ".5"}) {
    INFO(exp);
    CHECK(
        !verifier
             ->verify(hs256_token(R"({"sub":"u1","tenant":"t1","role":"admin","exp":)" + exp + "}",
                                  "s3cret"),
                      kNowS)
             .is_ok());
  }
  // Duplicates: which value a reader takes is up to the reader, so none is taken.
  for (const std::string& twice : {base + R"(,"role":"client"})", base + R"(,"tenant":"t2"})",
                                   base + R"(,"exp":1})", base + R"(,"sub":"u1"})"}) {
    INFO(twice);
    const auto verified = verifier->verify(hs256_token(twice, "s3cret"), kNowS);
    REQUIRE(!verified.is_ok());
    CHECK(verified.status().message().find("twice") != std::string::npos);
  }
  CHECK(!verifier
             ->verify(hs256_token(base + "}", "s3cret", R"({"alg":"HS256","alg":"HS256"})"), kNowS)
             .is_ok());
}

// Signs `signed_part` with `key` (SHA-256); ECDSA signatures come back as raw r || s.
std::string sign_with(EVP_PKEY* key, const std::string& signed_part, bool ecdsa) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  std::size_t length = 0;
  EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(context, nullptr, &length,
                 reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
  std::string signature(length, '\0');
  EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
  EVP_MD_CTX_free(context);
  signature.resize(length);
  if (!ecdsa) return signature;
  const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(parsed), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(parsed), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(parsed);
  return raw;
}

std::string public_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

void check_public_key_algorithm(EVP_PKEY* key, const std::string& algorithm, bool ecdsa) {
  auto verifier = JwtVerifier::create({"", public_pem(key), {}});
  REQUIRE(verifier.is_ok());
  const std::string signed_part =
      base64url_encode(R"({"alg":")" + algorithm + R"(","typ":"JWT"})") + "." +
      base64url_encode(R"({"sub":"u1","tenant":"t1","role":"admin","exp":)" +
                       std::to_string(kNowS + 60) + "}");
  const std::string token =
      signed_part + "." + base64url_encode(sign_with(key, signed_part, ecdsa));
  CHECK(verifier.value()->verify(token, kNowS).is_ok());
  CHECK(!verifier.value()->verify(token, kNowS + 3600).is_ok());
  // The same token claiming HS256 must not verify against the public key as an HMAC secret.
  const std::string hs_part =
      base64url_encode(R"({"alg":"HS256"})") + signed_part.substr(signed_part.find('.'));
  CHECK(
      !verifier.value()
           ->verify(hs_part + "." + base64url_encode(hmac_sha256(public_pem(key), hs_part)), kNowS)
           .is_ok());
}

TEST_CASE("RS256 and ES256 tokens verify against the configured public key") {
  EVP_PKEY* rsa = EVP_RSA_gen(2048);
  check_public_key_algorithm(rsa, "RS256", false);
  EVP_PKEY_free(rsa);
  EVP_PKEY* ec = EVP_EC_gen("P-256");
  check_public_key_algorithm(ec, "ES256", true);
  EVP_PKEY_free(ec);
  CHECK(!JwtVerifier::create({"", "not a pem", {}}).is_ok());
}

TEST_CASE("webhook signatures: valid, forged, stale, malformed") {
  const std::string body = R"({"id":"evt_1"})";
  const std::string header = sign_webhook("whsec", kNowS, body);
  CHECK(check_webhook_signature(header, "whsec", body, kNowS) == SignatureCheck::kOk);
  CHECK(check_webhook_signature(header, "whsec", body, kNowS + kWebhookToleranceS) ==
        SignatureCheck::kOk);
  CHECK(check_webhook_signature(header, "whsec", body, kNowS + kWebhookToleranceS + 1) ==
        SignatureCheck::kStale);
  CHECK(check_webhook_signature(header, "other", body, kNowS) == SignatureCheck::kMismatch);
  CHECK(check_webhook_signature(header, "whsec", body + " ", kNowS) == SignatureCheck::kMismatch);
  CHECK(check_webhook_signature("v1=00", "whsec", body, kNowS) == SignatureCheck::kMalformed);
  CHECK(check_webhook_signature("t=1", "whsec", body, kNowS) == SignatureCheck::kMalformed);
  CHECK(check_webhook_signature("", "whsec", body, kNowS) == SignatureCheck::kMalformed);
  // Providers rotating secrets send two v1 signatures; either may match.
  CHECK(check_webhook_signature(header + ",v1=" + std::string(64, '0'), "whsec", body, kNowS) ==
        SignatureCheck::kOk);
}

TEST_CASE("the JSON reader names the first bad field and refuses unknown ones") {
  JsonBody body(R"({"a":"x","n":5,"nested":{"deep":true},"list":[{"w":1},{"w":"two"}]})");
  REQUIRE(body.ok());
  JsonObject& root = body.root();
  CHECK(root.string("a", Presence::kRequired) == "x");
  CHECK(root.integer("n", Presence::kRequired, 0, 10) == 5);
  CHECK(root.object("nested", Presence::kRequired).boolean("deep", Presence::kRequired));
  auto list = root.objects("list", Presence::kRequired);
  REQUIRE(list.size() == 2);
  list[0].integer("w", Presence::kRequired, 0, 9);
  list[1].integer("w", Presence::kRequired, 0, 9);
  CHECK(!body.ok());
  CHECK(body.error().field == "list[1].w");

  JsonBody unknown(R"({"a":"x","b":1})");
  unknown.root().string("a", Presence::kRequired);
  unknown.root().finish();
  CHECK(unknown.error().field == "b");

  JsonBody missing("{}");
  missing.root().instant_ms("start", Presence::kRequired);
  CHECK(missing.error().field == "start");
  CHECK(!JsonBody("{").ok());
  CHECK(JsonBody("", true).ok());
}

// The string member `name` of the JSON object `text`, or nullopt when `text` is not valid JSON
// (simdjson validates UTF-8) or has no such string.
std::optional<std::string> json_string_member(const std::string& text, std::string_view name) {
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  std::string_view value;
  if (parser.parse(text).get(document) || document[name].get_string().get(value)) {
    return std::nullopt;
  }
  return std::string(value);
}

TEST_CASE("the JSON writer writes valid JSON for any bytes: U+FFFD for what is not UTF-8") {
  const std::string bad = "no site \xff\xfe";
  JsonWriter json;
  json.begin_object().field("detail", bad).end_object();
  const std::string text = json.take();
  CHECK(text == R"({"detail":"no site \ufffd\ufffd"})");
  CHECK(json_string_member(text, "detail") == "no site \xef\xbf\xbd\xef\xbf\xbd");
  // Well-formed UTF-8 passes unchanged; broken, overlong, surrogate and too-large sequences,
  // control characters and DEL do not reach the output raw.
  const std::string good = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb6";
  for (const std::string& text_in :
       {good, std::string("\xc3"), std::string("\xc3("), std::string("\xc0\xaf"),
        std::string("\xe0\x80\xaf"), std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"),
        std::string("\xf8\x88\x80\x80\x80"),
        std::string("a\x01"
                    "b\x1f\x7f\"\\\n"),
        std::string("\0x", 2)}) {
    INFO(text_in);
    JsonWriter writer;
    writer.begin_object().field("v", text_in).end_object();
    const std::string out = writer.take();
    const auto parsed = json_string_member(out, "v");
    REQUIRE(parsed.has_value());
    if (text_in == good) CHECK(*parsed == good);
    CHECK(std::none_of(out.begin(), out.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == '\x7f'; }));
  }
}

TEST_CASE("an access-log line is one valid JSON object even for a path that is not UTF-8") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  write_access_line(
      file, AccessLine{"req-1", "GET", "/v1/sites/\xff\xfe\x01", "unmatched", "t1", "u1"}, 404, 12);
  std::rewind(file);
  char buffer[1024] = {};
  const std::size_t length = std::fread(buffer, 1, sizeof buffer - 1, file);
  std::fclose(file);
  const std::string line(buffer, length);
  REQUIRE(!line.empty());
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(json_string_member(line, "path") == "/v1/sites/\xef\xbf\xbd\xef\xbf\xbd\x01");
}

void noop(Call&) {}

TEST_CASE("the router matches patterns, captures ids and lists allowed methods") {
  RouteTable table;
  table.add({http::verb::get, "/v1/bookings/{id}", kPublic, noop});
  table.add({http::verb::post, "/v1/bookings/{id}/cancel", kPublic, noop});
  table.add({http::verb::post, "/v1/bookings", kPublic, noop});
  auto found = table.match(http::verb::get, "/v1/bookings/b-1");
  REQUIRE(found.route != nullptr);
  CHECK(found.params.get("id") == "b-1");
  CHECK(table.match(http::verb::post, "/v1/bookings/b-1/cancel").route != nullptr);
  CHECK(table.match(http::verb::post, "/v1/bookings").route != nullptr);
  CHECK(table.match(http::verb::get, "/v1/bookings/").route == nullptr);
  CHECK(table.match(http::verb::get, "/v1/bookings/b-1/cancel/x").route == nullptr);
  const auto wrong_method = table.match(http::verb::delete_, "/v1/bookings/b-1");
  CHECK(wrong_method.route == nullptr);
  CHECK(wrong_method.allowed_methods == "GET");
}

}  // namespace
}  // namespace turno::api
