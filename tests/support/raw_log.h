// The event log's database opened raw, as an attacker or a disk fault would touch it: every
// column family of log_format.h, in its order (default, events, streams, outcomes, ids).
#pragma once

#include <rocksdb/db.h>

#include <string>
#include <vector>

#include "log_format.h"

namespace turno::testing {

inline std::vector<rocksdb::ColumnFamilyDescriptor> raw_log_families() {
  return {{rocksdb::kDefaultColumnFamilyName, {}},
          {std::string(log_format::kEventsFamily), {}},
          {std::string(log_format::kStreamsFamily), {}},
          {std::string(log_format::kOutcomesFamily), {}},
          {std::string(log_format::kIdsFamily), {}}};
}

}  // namespace turno::testing
