#include "password.h"

#include <simdjson.h>
#include <sodium.h>

#include "verify.h"

namespace turno::identity {
namespace {

void ensure_sodium() {
  static const int initialized = sodium_init();  // 0, or 1 when already done; -1 is fatal
  VERIFY(initialized >= 0, "libsodium initializes");
}

// Characters of `text`, or nullopt when it is not valid UTF-8 (simdjson's full check: no
// overlong forms, no surrogates) or holds a control character (C0, DEL, C1).
std::optional<std::size_t> printable_characters(std::string_view text) {
  if (!simdjson::validate_utf8(text.data(), text.size())) return std::nullopt;
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) return std::nullopt;
    const bool c1 = byte == 0xc2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) < 0xa0;  // U+0080..U+009F
    if (c1) return std::nullopt;
    if ((byte & 0xc0) != 0x80) ++characters;  // not a continuation byte: a new character
  }
  return characters;
}

}  // namespace

std::optional<std::string> password_problem(std::string_view password) {
  if (password.size() > kPasswordBytesMax) {
    return "password is longer than " + std::to_string(kPasswordBytesMax) + " bytes";
  }
  const std::optional<std::size_t> characters = printable_characters(password);
  if (!characters) return std::string("password must be UTF-8 text without control characters");
  if (*characters < kPasswordCharsMin) {
    return "password must have at least " + std::to_string(kPasswordCharsMin) + " characters";
  }
  return std::nullopt;
}

Result<std::string> hash_password(std::string_view password) {
  ensure_sodium();
  char encoded[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(encoded, password.data(), password.size(), kPasswordOpsLimit,
                            kPasswordMemLimitBytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::busy("password: out of memory for Argon2id");
  }
  return std::string(encoded);
}

bool verify_password(std::string_view stored, std::string_view password) {
  ensure_sodium();
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(stored);  // libsodium reads a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view stored) {
  ensure_sodium();
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return true;
  const std::string terminated(stored);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), kPasswordOpsLimit,
                                        kPasswordMemLimitBytes) != 0;
}

}  // namespace turno::identity
