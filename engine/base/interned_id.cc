#include "interned_id.h"

#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include "string_map.h"

namespace turno {
namespace {

// An unordered_set's nodes never move, so a pointer to a pooled string stays valid while
// others are added (a rehash relinks nodes; it does not copy them).
struct Pool {
  std::shared_mutex mutex;
  std::unordered_set<std::string, StringHash, std::equal_to<>> texts;  // GUARDED_BY(mutex)
  std::size_t bytes = 0;                                               // GUARDED_BY(mutex)
};

// Never destroyed: views that outlive main()'s locals (static test fixtures, detached
// threads) may still read through their handles at exit.
Pool& pool() {
  static Pool* const instance = new Pool;
  return *instance;
}

std::size_t node_bytes(const std::string& text) {
  constexpr std::size_t kNodeOverhead = 2 * sizeof(void*);  // next pointer and cached hash
  constexpr std::size_t kSmallStringMax = 15;               // libstdc++ keeps these inline
  const std::size_t heap = text.size() > kSmallStringMax ? text.capacity() + 1 : 0;
  return sizeof(std::string) + kNodeOverhead + heap;
}

}  // namespace

InternedId InternedId::of(std::string_view text) {
  if (text.empty()) return InternedId();
  Pool& shared = pool();
  {
    std::shared_lock lock(shared.mutex);
    if (auto it = shared.texts.find(text); it != shared.texts.end()) return InternedId(&*it);
  }
  std::unique_lock lock(shared.mutex);
  auto [it, inserted] = shared.texts.emplace(text);
  if (inserted) shared.bytes += node_bytes(*it);
  return InternedId(&*it);
}

const std::string& InternedId::str() const {
  static const std::string* const kEmpty = new std::string;
  return text_ == nullptr ? *kEmpty : *text_;
}

std::size_t InternedId::pool_size() {
  Pool& shared = pool();
  std::shared_lock lock(shared.mutex);
  return shared.texts.size();
}

std::size_t InternedId::pool_bytes() {
  Pool& shared = pool();
  std::shared_lock lock(shared.mutex);
  return shared.bytes + shared.texts.bucket_count() * sizeof(void*);
}

}  // namespace turno
