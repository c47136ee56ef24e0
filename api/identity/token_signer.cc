#include "token_signer.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "crypto.h"
#include "verify.h"

namespace turno::identity {
namespace {

using api::base64url_encode;

constexpr std::size_t kCoordinateBytes = 32;  // P-256
constexpr std::size_t kKidBytesMax = 64;

std::string bn_bytes(const BIGNUM* number) {
  std::string out(kCoordinateBytes, '\0');
  VERIFY(BN_bn2binpad(number, reinterpret_cast<unsigned char*>(out.data()),
                      static_cast<int>(out.size())) == static_cast<int>(out.size()),
         "a P-256 number fits 32 bytes");
  return out;
}

std::string coordinate(evp_pkey_st* key, const char* name) {
  BIGNUM* number = nullptr;
  VERIFY(EVP_PKEY_get_bn_param(key, name, &number) == 1, "an EC public coordinate");
  std::string bytes = bn_bytes(number);
  BN_free(number);
  return bytes;
}

bool is_p256(evp_pkey_st* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {};
  std::size_t length = 0;
  return EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                        &length) == 1 &&
         std::string_view(group, length) == "prime256v1";
}

evp_pkey_st* read_private_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  evp_pkey_st* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

// The DER ECDSA signature OpenSSL makes, as JWS wants it: r || s, 32 bytes each.
std::string jws_signature(std::string_view der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* signature = d2i_ECDSA_SIG(nullptr, &bytes, static_cast<long>(der.size()));
  VERIFY(signature != nullptr, "OpenSSL's ECDSA signature decodes");
  std::string raw = bn_bytes(ECDSA_SIG_get0_r(signature)) + bn_bytes(ECDSA_SIG_get0_s(signature));
  ECDSA_SIG_free(signature);
  return raw;
}

}  // namespace

SigningKeyRecord generate_signing_key(std::int64_t now_s) {
  evp_pkey_st* key = EVP_EC_gen("P-256");
  VERIFY(key != nullptr, "a P-256 key");
  BIO* bio = BIO_new(BIO_s_mem());
  VERIFY(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
         "a private key as PEM");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  SigningKeyRecord record{api::random_hex(16), std::string(data, static_cast<std::size_t>(length)),
                          now_s};
  BIO_free(bio);
  EVP_PKEY_free(key);
  return record;
}

Result<std::shared_ptr<const TokenSigner>> TokenSigner::create(
    const std::vector<SigningKeyRecord>& keys) {
  if (keys.empty()) return Status::invalid_argument("signing keys: none");
  if (keys.size() > kSigningKeysMax) {
    return Status::invalid_argument("signing keys: more than " + std::to_string(kSigningKeysMax));
  }
  std::shared_ptr<TokenSigner> signer(new TokenSigner());
  std::set<std::string, std::less<>> kids;
  for (const SigningKeyRecord& record : keys) {
    const bool kid_ok =
        !record.kid.empty() && record.kid.size() <= kKidBytesMax &&
        std::all_of(record.kid.begin(), record.kid.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        });
    if (!kid_ok || !kids.insert(record.kid).second) {
      return Status::invalid_argument(
          "signing keys: a kid that is empty, repeated or not [A-Za-z0-9_-]");
    }
    evp_pkey_st* key = read_private_pem(record.private_pem);
    if (key == nullptr || !is_p256(key)) {
      EVP_PKEY_free(key);
      return Status::invalid_argument("signing key " + record.kid + " is not a P-256 private key");
    }
    signer->keys_.push_back(Key{record.kid, key});
  }
  return std::shared_ptr<const TokenSigner>(std::move(signer));
}

TokenSigner::~TokenSigner() {
  for (Key& key : keys_) EVP_PKEY_free(key.key);
}

const std::string& TokenSigner::signing_kid() const {
  return keys_.back().kid;
}

std::string TokenSigner::sign(std::string_view claims_json) const {
  const Key& signing = keys_.back();
  const std::string header = R"({"alg":"ES256","typ":"JWT","kid":")" + signing.kid + "\"}";
  const std::string signed_part = base64url_encode(header) + "." + base64url_encode(claims_json);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  std::size_t length = 0;
  VERIFY(EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, signing.key) == 1 &&
             EVP_DigestSign(context, nullptr, &length,
                            reinterpret_cast<const unsigned char*>(signed_part.data()),
                            signed_part.size()) == 1,
         "ES256 signing starts");
  std::string der(length, '\0');
  VERIFY(EVP_DigestSign(context, reinterpret_cast<unsigned char*>(der.data()), &length,
                        reinterpret_cast<const unsigned char*>(signed_part.data()),
                        signed_part.size()) == 1,
         "ES256 signs");
  EVP_MD_CTX_free(context);
  der.resize(length);
  return signed_part + "." + base64url_encode(jws_signature(der));
}

std::string TokenSigner::jwks_json() const {
  std::string out = R"({"keys":[)";
  for (auto it = keys_.rbegin(); it != keys_.rend(); ++it) {
    if (it != keys_.rbegin()) out += ',';
    out += R"({"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":")" + it->kid +
           R"(","x":")" + base64url_encode(coordinate(it->key, OSSL_PKEY_PARAM_EC_PUB_X)) +
           R"(","y":")" + base64url_encode(coordinate(it->key, OSSL_PKEY_PARAM_EC_PUB_Y)) + "\"}";
  }
  return out + "]}";
}

namespace {

std::string public_pem(evp_pkey_st* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  VERIFY(PEM_write_bio_PUBKEY(bio, key) == 1, "a public key as PEM");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return pem;
}

}  // namespace

std::string TokenSigner::signing_public_pem() const {
  return public_pem(keys_.back().key);
}

std::vector<api::OwnKey> TokenSigner::own_keys() const {
  std::vector<api::OwnKey> keys;
  for (const Key& key : keys_) keys.push_back(api::OwnKey{key.kid, public_pem(key.key)});
  return keys;
}

}  // namespace turno::identity
