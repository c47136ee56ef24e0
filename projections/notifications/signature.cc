#include "signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

namespace turno::projections::notifications {

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kDigits[digest[i] >> 4]);
    hex.push_back(kDigits[digest[i] & 0xf]);
  }
  return hex;
}

std::string sign_body(std::string_view secret, std::int64_t timestamp_s, std::string_view body) {
  const std::string t = std::to_string(timestamp_s);
  std::string signed_text = t + ".";
  signed_text.append(body);
  return "t=" + t + ",v1=" + hmac_sha256_hex(secret, signed_text);
}

bool verify_signature(std::string_view header, std::string_view secret, std::string_view body) {
  if (!header.starts_with("t=")) return false;
  const std::size_t comma = header.find(",v1=");
  if (comma == std::string_view::npos) return false;
  const std::string_view t = header.substr(2, comma - 2);
  std::int64_t timestamp_s = 0;
  const auto parsed = std::from_chars(t.data(), t.data() + t.size(), timestamp_s);
  if (parsed.ec != std::errc() || parsed.ptr != t.data() + t.size()) return false;
  const std::string expected = sign_body(secret, timestamp_s, body);
  return expected.size() == header.size() &&
         CRYPTO_memcmp(expected.data(), header.data(), header.size()) == 0;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

}  // namespace turno::projections::notifications
