// InternedId: one pooled copy per distinct id, handles compared by content, safe to intern from
// several threads.
#include "interned_id.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

using turno::InternedId;

TEST_CASE("equal texts give the same handle, and the pool grows only by new texts") {
  const InternedId first = InternedId::of("interned-test-site-with-a-long-name");
  const std::size_t size = InternedId::pool_size();
  const std::size_t bytes = InternedId::pool_bytes();
  std::string copy = "interned-test-site-with-a-long-name";
  const InternedId again = InternedId::of(copy);
  copy.assign("overwritten");  // the handle does not point into the caller's string
  CHECK(again == first);
  CHECK(again.view().data() == first.view().data());
  CHECK(again.view() == "interned-test-site-with-a-long-name");
  CHECK(InternedId::pool_size() == size);
  CHECK(InternedId::pool_bytes() == bytes);

  const InternedId other = InternedId::of("interned-test-other");
  CHECK(other != first);
  CHECK(InternedId::pool_size() == size + 1);
  CHECK(InternedId::pool_bytes() > bytes);
}

TEST_CASE("the empty id is the default and is never pooled") {
  const std::size_t size = InternedId::pool_size();
  const InternedId none;
  CHECK(none.empty());
  CHECK(none == InternedId::of(""));
  CHECK(none.view().empty());
  CHECK(none.str().empty());
  CHECK(InternedId::pool_size() == size);
  CHECK_FALSE(InternedId::of("x").empty());
}

TEST_CASE("handles compare and sort by content, like the strings they replace") {
  const InternedId b = InternedId::of("interned-test-b");
  const InternedId a = InternedId::of("interned-test-a");
  CHECK(a < b);
  CHECK_FALSE(b < a);
  CHECK_FALSE(a < a);
  CHECK(InternedId() < a);
  CHECK(a == std::string_view("interned-test-a"));
  CHECK(std::string("interned-test-a") == a);
  CHECK(a != "interned-test-b");
  const std::string_view as_view = a;  // call sites read it as a string_view
  CHECK(as_view == "interned-test-a");
  CHECK(a.str() == "interned-test-a");
  CHECK(std::hash<InternedId>{}(a) == std::hash<std::string_view>{}("interned-test-a"));

  std::vector<InternedId> ids = {b, a, InternedId()};
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<InternedId>{InternedId(), a, b});
}

TEST_CASE("threads interning the same texts at once get the same handles") {
  constexpr int kThreads = 4;
  constexpr int kTexts = 500;
  std::vector<std::vector<InternedId>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&seen, t] {
      for (int i = 0; i < kTexts; ++i) {
        seen[t].push_back(InternedId::of("interned-test-thread-" + std::to_string(i)));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 1; t < kThreads; ++t) CHECK(seen[t] == seen[0]);
  for (int i = 0; i < kTexts; ++i) {
    CHECK(seen[0][i].view() == "interned-test-thread-" + std::to_string(i));
  }
}
