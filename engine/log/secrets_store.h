// Secrets apart from history (DESIGN.md): password hashes, refresh tokens, one-time codes, API
// keys, token signing keys. They must never enter the event log, an export, NATS or a log
// line, yet they must survive like the log does, so they live in a RocksDB database of their
// own (data_layout::secrets_directory), every write fsynced before it returns, opened with the
// same damage rules as the log (durable_rocksdb.h), and carried by `turno backup`/`restore`
// (backup.h). What each key means is the identity layer's (api/identity/); this store only
// keeps bytes under keys, bounded.
//
// One process holds the store (RocksDB's lock); a backup reads it through a secondary
// instance, as it reads the log.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "status.h"

namespace rocksdb {
class DB;
}

namespace turno {

inline constexpr std::size_t kSecretKeyBytesMax = 512;
inline constexpr std::size_t kSecretValueBytesMax = 16 * 1024;
inline constexpr std::size_t kSecretScanMax = 10'000;  // entries one scan may visit

class SecretsStore {
 public:
  // Opens (creating) the store in `directory`; read-only opens fail when it does not exist.
  static Result<std::unique_ptr<SecretsStore>> open(const std::string& directory,
                                                    bool read_only = false);
  ~SecretsStore();  // flushes (a clean close leaves no WAL as the only copy) and closes
  SecretsStore(const SecretsStore&) = delete;
  SecretsStore& operator=(const SecretsStore&) = delete;

  // Durable when it returns ok. invalid_argument past the bounds, or on a read-only store.
  Status put(std::string_view key, std::string_view value);
  Status erase(std::string_view key);
  Result<std::optional<std::string>> get(std::string_view key) const;
  // Calls `visit` with the entries whose key starts with `prefix`, in key order, until it
  // returns false; invalid_argument when more than kSecretScanMax would be visited.
  Status scan(std::string_view prefix,
              const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

 private:
  SecretsStore() = default;
  std::unique_ptr<rocksdb::DB> db_;
  bool read_only_ = false;
};

}  // namespace turno
