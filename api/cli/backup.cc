// `turno backup` and `turno restore`: an online, verified copy of the event log, and its way
// back into a fresh data directory (engine/log/backup.h says how and why it is consistent); with it
// the notification stores — tenant channel settings, contacts and the outbox — which are not
// events (projections/notifications/store_copy.h).
#include "backup.h"

#include <cstdio>

#include "clock.h"
#include "data_layout.h"
#include "flags.h"
#include "store_copy.h"
#include "subcommand.h"

namespace turno::cli {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailed = 1;

void print_manifest(std::string_view what, const std::string& directory,
                    const BackupManifest& manifest, std::size_t attempts) {
  std::printf(
      "{\"%.*s\":\"%s\",\"log_id\":\"%s\",\"last_seq\":%llu,\"last_hash\":\"%s\","
      "\"events\":%llu,\"outcomes\":%llu,\"taken_at_ms\":%lld,\"attempts\":%zu}\n",
      int(what.size()), what.data(), directory.c_str(), manifest.log_id.c_str(),
      static_cast<unsigned long long>(manifest.last_seq.value), manifest.last_hash_hex.c_str(),
      static_cast<unsigned long long>(manifest.events),
      static_cast<unsigned long long>(manifest.outcomes),
      static_cast<long long>(manifest.taken_at_ms), attempts);
}

// Copies the notification stores along (from a data directory to a backup, or back) and prints
// what it copied; false after printing why it failed.
bool copy_notifications(std::string_view command, const std::string& from, const std::string& to) {
  auto copied = projections::notifications::copy_notification_stores(from, to);
  if (!copied.is_ok()) {
    std::fprintf(stderr, "turno %.*s: %s\n", int(command.size()), command.data(),
                 copied.status().message().c_str());
    return false;
  }
  std::printf("{\"notifications\":%s,\"settings_keys\":%llu,\"outbox_keys\":%llu}\n",
              copied.value().present ? "true" : "false",
              static_cast<unsigned long long>(copied.value().settings_keys),
              static_cast<unsigned long long>(copied.value().outbox_keys));
  return true;
}

int usage_error(const Flags& flags, std::string_view name, std::string_view problem) {
  std::fprintf(stderr, "turno %.*s: %.*s\n%s", int(name.size()), name.data(), int(problem.size()),
               problem.data(), flags.usage(name).c_str());
  return kExitUsage;
}

int run_backup(int argc, char** argv) {
  Flags flags(argc, argv,
              {{"data", "data directory of the log to copy (the server may be running)"},
               {"to", "new directory for the backup (must not exist, or be empty)"},
               {"attempts", "fresh copies tried before giving up", true, "8"},
               {"help", "show this help", false}});
  if (flags.has("help")) return std::printf("%s", flags.usage("backup").c_str()), 0;
  const auto data = flags.get("data");
  const auto to = flags.get("to");
  const auto attempts = flags.get_int("attempts");
  if (!flags.ok()) return usage_error(flags, "backup", flags.error());
  if (!data || !to) return usage_error(flags, "backup", "--data and --to are required");
  if (!attempts || *attempts < 1) return usage_error(flags, "backup", "--attempts must be >= 1");
  BackupOptions options;
  options.attempts_max = static_cast<std::size_t>(*attempts);
  options.now_ms = SystemClock().now_ms();
  options.on_retry = [](const std::string& why) {
    std::fprintf(stderr, "turno backup: retrying: %s\n", why.c_str());
  };
  auto report = take_backup(data_layout::log_directory(*data), *to, options);
  if (!report.is_ok()) {
    std::fprintf(stderr, "turno backup: %s\n", report.status().message().c_str());
    return kExitFailed;
  }
  print_manifest("backup", *to, report.value().manifest, report.value().attempts);
  return copy_notifications("backup", *data, *to) ? 0 : kExitFailed;
}

int run_restore(int argc, char** argv) {
  Flags flags(argc, argv,
              {{"from", "a directory written by turno backup"},
               {"data", "new data directory to restore into (must not exist, or be empty)"},
               {"verify-only", "only check the backup (chain, tail, counts); write nothing", false},
               {"help", "show this help", false}});
  if (flags.has("help")) return std::printf("%s", flags.usage("restore").c_str()), 0;
  const auto from = flags.get("from");
  const auto data = flags.get("data");
  if (!flags.ok()) return usage_error(flags, "restore", flags.error());
  if (!from) return usage_error(flags, "restore", "--from is required");
  const bool verify_only = flags.has("verify-only");
  if (!verify_only && !data) return usage_error(flags, "restore", "--data is required");
  // The backup is the log; it goes where serve looks for the log of that data directory.
  auto manifest =
      verify_only ? verify_backup(*from) : restore_backup(*from, data_layout::log_directory(*data));
  if (!manifest.is_ok()) {
    std::fprintf(stderr, "turno restore: %s\n", manifest.status().message().c_str());
    return kExitFailed;
  }
  print_manifest(verify_only ? "verified" : "restored", verify_only ? *from : *data,
                 manifest.value(), 1);
  if (verify_only) return 0;
  return copy_notifications("restore", *from, *data) ? 0 : kExitFailed;
}

}  // namespace
}  // namespace turno::cli

TURNO_SUBCOMMAND("backup", "consistent online copy of the event log in --data to --to",
                 turno::cli::run_backup);
TURNO_SUBCOMMAND("restore", "verify a backup (--from) and restore it into a new --data",
                 turno::cli::run_restore);
