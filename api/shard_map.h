// The shard map: which command node (shard) owns which tenants. A JSON file every command node
// reads at start-up (`turno serve --shard-map FILE`); change it with a rolling restart.
//
//   {
//     "shards": [
//       {"id": "s1", "url": "http://turno-command-0.turno-command:8080", "tenants": ["acme"]},
//       {"id": "s2", "url": "http://turno-command-1.turno-command:8080", "tenants": ["vetco"]}
//     ]
//   }
//
// `id`: 1..64 of [A-Za-z0-9_-] (it names a NATS queue group); `url`: where the shard's command
// nodes answer HTTP (the redirect hint; may be empty); `tenants`: the tenant ids it owns. Every
// tenant is in at most one shard, and no two tenants share a NATS subject token
// (nats_format.h: "a.b" and "a_b" would): both are refused when the file is read. A tenant in
// no shard gets no commands anywhere (421) until it is added.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "field_bounds.h"
#include "status.h"

namespace turno::api {

inline constexpr std::size_t kShardMapBytesMax = 16 * 1024 * 1024;
inline constexpr std::size_t kShardsMax = 1024;
inline constexpr std::size_t kShardTenantsMax = 1'000'000;
inline constexpr std::size_t kShardIdBytesMax = 64;
inline constexpr std::size_t kShardUrlBytesMax = 2048;
inline constexpr std::size_t kShardTenantIdBytesMax = kIdBytesMax;  // as the API reads ids

struct Shard {
  std::string id;
  std::string url;
  std::vector<std::string> tenants;
};

class ShardMap {
 public:
  // Parses the map's JSON; invalid_argument naming the field at fault ("shards[1].tenants[0]").
  static Result<ShardMap> parse(std::string_view json);
  // Reads and parses FILE.
  static Result<ShardMap> load(const std::string& path);

  // The shard owning `tenant_id`, or null when no shard does.
  const Shard* owner(std::string_view tenant_id) const;
  // The shard named `id`, or null.
  const Shard* find(std::string_view id) const;
  const std::vector<Shard>& shards() const { return shards_; }

 private:
  std::vector<Shard> shards_;
  std::map<std::string, std::size_t, std::less<>> owner_of_;  // tenant -> index in shards_
};

}  // namespace turno::api
