#include "store_copy.h"

#include <filesystem>

#include "backup_copy.h"

namespace turno::projections::notifications {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kCopyBatchBytesMax = 4 * 1024 * 1024;  // one WriteBatch of the copy
constexpr const char* kStores[] = {"settings", "outbox"};

}  // namespace

Result<StoreCopyReport> copy_notification_stores(const std::string& from, const std::string& to) {
  StoreCopyReport report;
  for (const char* store : kStores) {
    const std::string source = from + "/notifications/" + store;
    const std::string target = to + "/notifications/" + store;
    std::error_code error;
    if (!fs::exists(source + "/CURRENT", error)) continue;
    if (fs::exists(target, error)) {
      return Status::invalid_argument("notification stores: " + target + " exists already");
    }
    fs::create_directories(to + "/notifications", error);
    if (error)
      return Status::io_error("notification stores: create " + to + ": " + error.message());
    Result<std::uint64_t> keys = backup_detail::copy_store(source, target, kCopyBatchBytesMax);
    if (!keys.is_ok()) return keys.status();
    (std::string(store) == "settings" ? report.settings_keys : report.outbox_keys) = keys.value();
    report.present = true;
  }
  return report;
}

Status refuse_damaged_store(const std::string& directory, const std::string& detail) {
  return Status::corruption(
      "notification store " + directory + " is damaged (" + detail +
      "). It holds what the log cannot rebuild (tenant settings, secrets and contacts; which "
      "messages went out), so Turno will not start on it. Stop, move it aside and restore "
      "DATA/notifications from the newest backup (turno restore --from BACKUP --data NEW, "
      "then copy NEW/notifications; ops/README.md, \"Damaged stores\").");
}

}  // namespace turno::projections::notifications
