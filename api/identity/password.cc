#include "password.h"

#include <sodium.h>

#include "verify.h"

namespace turno::identity {
namespace {

void ensure_sodium() {
  static const int initialized = sodium_init();  // 0, or 1 when already done; -1 is fatal
  VERIFY(initialized >= 0, "libsodium initializes");
}

// Characters of valid UTF-8 in `text`, or nullopt when it is not UTF-8 or holds a control
// character (C0, DEL).
std::optional<std::size_t> printable_characters(std::string_view text) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++characters) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (lead < 0x80) {
      if (lead < 0x20 || lead == 0x7f) return std::nullopt;
      length = 1;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
    } else {
      return std::nullopt;
    }
    if (i + length > text.size()) return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return std::nullopt;
    }
    i += length;
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
