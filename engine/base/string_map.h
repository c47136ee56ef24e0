// Hash maps and sets keyed by std::string that can be searched with a string_view (the write
// model's and the views'), and the sorted key order views use when they encode a map (so equal
// states give equal bytes).
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace turno {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

// Pointers to the entries of `map`, sorted by key.
template <typename Map>
std::vector<const typename Map::value_type*> sorted_entries(const Map& map) {
  std::vector<const typename Map::value_type*> entries;
  entries.reserve(map.size());
  for (const auto& entry : map) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  return entries;
}

template <typename Map>
auto* find_in(Map& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// "tenant\0id": one flat key for maps of per-tenant entities (ids never hold NUL).
inline std::string tenant_key(std::string_view tenant_id, std::string_view id) {
  std::string key;
  key.reserve(tenant_id.size() + 1 + id.size());
  key.append(tenant_id).push_back('\0');
  key.append(id);
  return key;
}

}  // namespace turno
