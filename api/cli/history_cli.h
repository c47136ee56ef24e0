// What the history subcommands (export, verify, replay, snapshot) share: the filter flags,
// opening a log for reading, and a progress bar on a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "event_log.h"
#include "flags.h"
#include "history_filter.h"
#include "status.h"

namespace turno::cli {

// --tenant, --site, --stream, --type, --from-seq, --to-seq, --since, --until.
std::vector<FlagSpec> history_filter_flags();
// The filter those flags describe; kInvalidArgument naming the flag on a bad value.
Result<history::EventFilter> history_filter_from(const Flags& flags);

// Opens the log under `data_directory` read-only: a point-in-time view that works while a
// server holds the log open, and never writes to it.
Result<std::unique_ptr<EventLog>> open_log_for_reading(const std::string& data_directory);

// "turno NAME: message" on stderr; returns `exit_status`.
int report_failure(std::string_view command, const std::string& message, int exit_status);

// A one-line progress bar on stderr, drawn only when stderr is a terminal, at most every
// kRedrawInterval. Counts units ("events", "records") up to a known total, or without one.
class ProgressBar {
 public:
  static constexpr std::chrono::milliseconds kRedrawInterval{100};

  ProgressBar(std::string label, std::string unit);
  ~ProgressBar();  // erases the line
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // `total` 0: unknown.
  void update(std::uint64_t done, std::uint64_t total = 0);

 private:
  bool enabled_;
  std::string label_;
  std::string unit_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point drawn_;
};

}  // namespace turno::cli
