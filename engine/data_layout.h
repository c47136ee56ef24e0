// Where the command side keeps its files under a data directory (`turno serve --data DIR`,
// and the tools that read what it wrote: export, verify, replay, snapshot).
//
//   DIR                  the event log's RocksDB files (event_log.h); serve opens it there
//   DIR/snapshots/model  the write model's snapshot store (model_snapshots.h)
#pragma once

#include <string>

namespace turno::data_layout {

inline std::string log_directory(const std::string& data_directory) {
  return data_directory;
}

inline std::string model_snapshot_directory(const std::string& data_directory) {
  return data_directory + "/snapshots/model";
}

}  // namespace turno::data_layout
