// Turno's own access tokens: JWTs (RFC 7519) signed ES256 (ECDSA P-256, SHA-256) with a key
// named by `kid`, and the public keys as a JWKS document (RFC 7517/7518) for
// /.well-known/jwks.json, so any JWT library verifies them.
//
// Keys rotate: the newest key signs, and the older ones stay published until every token they
// signed has expired, then are dropped. Private keys are secrets (the secrets store, never the
// log, exports, NATS or a log line); a kid and a public key are not.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jwt.h"
#include "status.h"

struct evp_pkey_st;

namespace turno::identity {

inline constexpr std::size_t kSigningKeysMax = 8;  // published at once (rotations pending)

// A signing key as stored: its id, its private key (PKCS#8 PEM) and when it was made.
struct SigningKeyRecord {
  std::string kid;
  std::string private_pem;
  std::int64_t created_at_s = 0;
};

// A new P-256 key with a random kid (16 bytes, hex).
SigningKeyRecord generate_signing_key(std::int64_t now_s);

class TokenSigner {
 public:
  // `keys` oldest first; the last one signs. Fails on none, too many, a repeated kid, or a PEM
  // that is not a P-256 private key.
  static Result<std::shared_ptr<const TokenSigner>> create(
      const std::vector<SigningKeyRecord>& keys);
  ~TokenSigner();
  TokenSigner(const TokenSigner&) = delete;
  TokenSigner& operator=(const TokenSigner&) = delete;

  // The compact JWS of `claims_json` (a JSON object the caller wrote): header
  // {"alg":"ES256","typ":"JWT","kid":…}, signature r || s (RFC 7518 §3.4).
  std::string sign(std::string_view claims_json) const;
  // {"keys":[…]}: every key's public half, newest first.
  std::string jwks_json() const;
  // The signing key's id, and its public key as PEM.
  const std::string& signing_kid() const;
  std::string signing_public_pem() const;
  // Every published key's kid and public PEM, for the verifier of this node's tokens
  // (jwt.h JwtKeys::own_keys): tokens of a retired key verify until it is dropped.
  std::vector<api::OwnKey> own_keys() const;

 private:
  struct Key {
    std::string kid;
    evp_pkey_st* key = nullptr;
  };
  TokenSigner() = default;
  std::vector<Key> keys_;  // oldest first; the last signs
};

}  // namespace turno::identity
