// The secrets store: bounded keys and values, durable writes that survive a reopen, prefix
// scans in key order, and a read-only open that refuses writes.
#include "secrets_store.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "temp_dir.h"

using namespace turno;
using turno::testing::TempDir;

TEST_CASE("secrets: written, read back after a reopen, erased, scanned by prefix") {
  TempDir dir;
  {
    auto store = SecretsStore::open(dir.sub("secrets"));
    REQUIRE(store.is_ok());
    CHECK(store.value()->put("password/t1/acc_1", "$argon2id$one").is_ok());
    CHECK(store.value()->put("password/t1/acc_2", "$argon2id$two").is_ok());
    CHECK(store.value()->put("password/t2/acc_1", "$argon2id$three").is_ok());
    CHECK(store.value()->put("refresh/t1/fam_1", "hash").is_ok());
    CHECK(store.value()->erase("password/t1/acc_2").is_ok());
    CHECK(store.value()->erase("never/there").is_ok());
  }
  auto store = SecretsStore::open(dir.sub("secrets"));
  REQUIRE(store.is_ok());
  CHECK(store.value()->get("password/t1/acc_1").value() ==
        std::optional<std::string>("$argon2id$one"));
  CHECK_FALSE(store.value()->get("password/t1/acc_2").value().has_value());
  std::vector<std::string> keys;
  REQUIRE(store.value()
              ->scan("password/",
                     [&](std::string_view key, std::string_view) {
                       keys.emplace_back(key);
                       return true;
                     })
              .is_ok());
  CHECK(keys == std::vector<std::string>{"password/t1/acc_1", "password/t2/acc_1"});
  keys.clear();
  REQUIRE(store.value()
              ->scan("password/t1/",
                     [&](std::string_view key, std::string_view) {
                       keys.emplace_back(key);
                       return false;  // stops after the first
                     })
              .is_ok());
  CHECK(keys == std::vector<std::string>{"password/t1/acc_1"});
}

TEST_CASE("secrets: bounds, and a read-only open that refuses writes") {
  TempDir dir;
  CHECK_FALSE(SecretsStore::open(dir.sub("missing"), /*read_only=*/true).is_ok());
  {
    auto store = SecretsStore::open(dir.sub("secrets"));
    REQUIRE(store.is_ok());
    CHECK_FALSE(store.value()->put("", "v").is_ok());
    CHECK_FALSE(store.value()->put(std::string(kSecretKeyBytesMax + 1, 'k'), "v").is_ok());
    CHECK(store.value()->put(std::string(kSecretKeyBytesMax, 'k'), "v").is_ok());
    CHECK_FALSE(store.value()->put("k", std::string(kSecretValueBytesMax + 1, 'v')).is_ok());
    CHECK(store.value()->put("k", std::string(kSecretValueBytesMax, 'v')).is_ok());
  }
  auto read_only = SecretsStore::open(dir.sub("secrets"), /*read_only=*/true);
  REQUIRE(read_only.is_ok());
  CHECK(read_only.value()->get("k").value()->size() == kSecretValueBytesMax);
  CHECK_FALSE(read_only.value()->put("k2", "v").is_ok());
  CHECK_FALSE(read_only.value()->erase("k").is_ok());
}
