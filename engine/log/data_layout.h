// Where the command side keeps its files under a data directory (`turno serve --data DIR`,
// and the tools that read what it wrote: export, verify, replay, snapshot).
//
//   DIR                  the event log's RocksDB files (event_log.h); serve opens it there
//   DIR/snapshots/model  the write model's snapshot store (model_snapshots.h)
//   DIR/export_signing_key.pem  the node's Ed25519 key that signs exports (history_signing.h):
//                        a secret, mode 0600, created on first use, carried by backups
//   DIR/secrets          the secrets store (secrets_store.h: password hashes, tokens, keys),
//                        carried by backups
#pragma once

#include <string>

namespace turno::data_layout {

inline std::string log_directory(const std::string& data_directory) {
  return data_directory;
}

inline std::string model_snapshot_directory(const std::string& data_directory) {
  return data_directory + "/snapshots/model";
}

inline std::string secrets_directory(const std::string& data_directory) {
  return data_directory + "/secrets";
}

inline std::string export_signing_key_path(const std::string& data_directory) {
  return data_directory + "/export_signing_key.pem";
}

}  // namespace turno::data_layout
