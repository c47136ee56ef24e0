// The notification stores hold what the log cannot rebuild (settings, secrets, contacts; which
// messages went out): damage there stops start-up with a message saying how to restore them,
// instead of coming back with other values.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "outbox.h"
#include "settings.h"
#include "temp_dir.h"

using namespace turno;
using namespace turno::projections::notifications;
using namespace turno::testing;
namespace fs = std::filesystem;

namespace {

void break_current(const std::string& directory) {
  std::ofstream current(directory + "/CURRENT", std::ios::trunc);
  current << "garbage";
}

void check_refused(const Status& status, const std::string& directory) {
  CAPTURE(status.message());
  CHECK(status.code() == Status::Code::kCorruption);
  CHECK(status.message().find("notification store " + directory + " is damaged") !=
        std::string::npos);
  CHECK(status.message().find("restore") != std::string::npos);
}

}  // namespace

TEST_CASE("a damaged settings store is refused with how to restore it") {
  TempDir dir;
  const std::string directory = dir.sub("settings");
  {
    auto store = SettingsStore::open(directory, true);
    REQUIRE(store.is_ok());
    TenantSettings settings;
    REQUIRE(store.value()->put_tenant("t1", settings).is_ok());
  }
  {
    auto reopened = SettingsStore::open(directory, true);  // negative control: whole, it opens
    REQUIRE(reopened.is_ok());
  }
  break_current(directory);
  auto refused = SettingsStore::open(directory, true);
  REQUIRE_FALSE(refused.is_ok());
  check_refused(refused.status(), directory);
  CHECK(fs::exists(directory + "/CURRENT"));  // left as it was for the operator
}

TEST_CASE("a damaged outbox is refused with how to restore it") {
  TempDir dir;
  const std::string directory = dir.sub("outbox");
  REQUIRE(OutboxStore::open(directory, true).is_ok());
  break_current(directory);
  auto refused = OutboxStore::open(directory, true);
  REQUIRE_FALSE(refused.is_ok());
  check_refused(refused.status(), directory);
}
