#include "shard_map.h"

#include <fstream>
#include <set>
#include <sstream>

#include "json_reader.h"
#include "nats_format.h"

namespace turno::api {
namespace {

bool valid_shard_id(std::string_view id) {
  if (id.empty() || id.size() > kShardIdBytesMax) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status field_problem(const std::string& field, const std::string& detail) {
  return Status::invalid_argument("shard map: " + field + ": " + detail);
}

}  // namespace

Result<ShardMap> ShardMap::parse(std::string_view json) {
  JsonBody body(json);
  std::vector<JsonObject> shards = body.root().objects("shards", Presence::kRequired, kShardsMax);
  ShardMap map;
  std::set<std::string> subjects;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    Shard shard;
    shard.id = shards[i].string("id", Presence::kRequired, kShardIdBytesMax);
    shard.url = shards[i].string("url", Presence::kOptional, kShardUrlBytesMax);
    shard.tenants =
        shards[i].strings("tenants", Presence::kRequired, kShardTenantsMax, kShardTenantIdBytesMax);
    shards[i].finish();
    if (!body.ok()) break;
    const std::string at = "shards[" + std::to_string(i) + "]";
    if (!valid_shard_id(shard.id)) return field_problem(at + ".id", "1 to 64 of [A-Za-z0-9_-]");
    if (map.find(shard.id) != nullptr) return field_problem(at + ".id", "shard listed twice");
    for (std::size_t t = 0; t < shard.tenants.size(); ++t) {
      const std::string& tenant = shard.tenants[t];
      const std::string field = at + ".tenants[" + std::to_string(t) + "]";
      if (tenant.empty()) return field_problem(field, "empty tenant id");
      if (map.owner_of_.contains(tenant)) return field_problem(field, tenant + " is in two shards");
      if (!subjects.insert(projections::nats_format::command_subject(tenant)).second) {
        return field_problem(field, tenant + " shares its NATS subject with another tenant");
      }
      map.owner_of_.emplace(tenant, map.shards_.size());
    }
    map.shards_.push_back(std::move(shard));
  }
  body.root().finish();
  if (!body.ok()) {
    return field_problem(body.error().field.empty() ? "the file" : body.error().field,
                         body.error().detail);
  }
  return map;
}

Result<ShardMap> ShardMap::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error("shard map: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kShardMapBytesMax) {
    return Status::invalid_argument("shard map: " + path + " is over 16 MiB");
  }
  Result<ShardMap> map = parse(text.str());
  if (!map.is_ok()) return Status::invalid_argument(path + ": " + map.status().message());
  return map;
}

const Shard* ShardMap::owner(std::string_view tenant_id) const {
  const auto it = owner_of_.find(tenant_id);
  return it == owner_of_.end() ? nullptr : &shards_[it->second];
}

const Shard* ShardMap::find(std::string_view id) const {
  for (const Shard& shard : shards_) {
    if (shard.id == id) return &shard;
  }
  return nullptr;
}

}  // namespace turno::api
