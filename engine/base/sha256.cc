#include "sha256.h"

#include <openssl/evp.h>

#include <algorithm>
#include <optional>
#include <string>

#include "verify.h"

namespace turno {
namespace {

// Fetched once: OpenSSL 3 looks the algorithm up in its provider tables on every one-shot
// call, which costs more than hashing a small envelope.
const EVP_MD* sha256_algorithm() {
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  VERIFY(algorithm != nullptr, "EVP_MD_fetch(SHA256)");
  return algorithm;
}

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  VERIFY(context_ != nullptr, "EVP_MD_CTX_new");
  VERIFY(EVP_DigestInit_ex(context_, sha256_algorithm(), nullptr) == 1, "EVP_DigestInit_ex");
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(context_);
}

Sha256& Sha256::update(std::string_view bytes) {
  VERIFY(EVP_DigestUpdate(context_, bytes.data(), bytes.size()) == 1, "EVP_DigestUpdate");
  return *this;
}

Sha256& Sha256::update(const Hash& hash) {
  return update(as_bytes(hash));
}

Hash Sha256::finish() {
  Hash out{};
  unsigned int length = 0;
  VERIFY(EVP_DigestFinal_ex(context_, out.data(), &length) == 1 && length == out.size(),
         "EVP_DigestFinal_ex");
  VERIFY(EVP_DigestInit_ex(context_, sha256_algorithm(), nullptr) == 1, "EVP_DigestInit_ex");
  return out;
}

Hash sha256(std::string_view bytes) {
  thread_local Sha256 hasher;  // one context per thread, reused
  return hasher.update(bytes).finish();
}

Hash chain_hash(const Hash& previous, std::string_view envelope_bytes) {
  thread_local Sha256 hasher;
  return hasher.update(previous).update(envelope_bytes).finish();
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0x0f]);
  }
  return out;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high << 4 | low));
  }
  return out;
}

std::optional<Hash> hash_from_hex(std::string_view text) {
  const std::optional<std::string> bytes = from_hex(text);
  if (!bytes || bytes->size() != Hash{}.size()) return std::nullopt;
  Hash hash{};
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

}  // namespace turno
