// SHA-256 over byte strings, from OpenSSL (uses the CPU's SHA extensions where present).
#pragma once

#include <string_view>

#include "types.h"

struct evp_md_ctx_st;

namespace turno {

// Incremental hasher: update() any number of times, then finish(); finish() also resets it,
// so one hasher can be reused for many digests (it owns an OpenSSL context).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(std::string_view bytes);
  Sha256& update(const Hash& hash);
  Hash finish();

 private:
  evp_md_ctx_st* context_;
};

Hash sha256(std::string_view bytes);

// The chain link: hash(n) = SHA-256(hash(n-1) || envelope bytes of n).
Hash chain_hash(const Hash& previous, std::string_view envelope_bytes);

inline std::string_view as_bytes(const Hash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

}  // namespace turno
