#include "history_cli.h"

#include <unistd.h>

#include <cstdio>

#include "data_layout.h"

namespace turno::cli {

std::vector<FlagSpec> history_filter_flags() {
  return {
      {"tenant", "only these tenants (comma-separated)"},
      {"site", "only these sites (comma-separated)"},
      {"stream", "only these streams, e.g. t1/booking/b7 (comma-separated)"},
      {"type", "only these event types, e.g. slot_held,payment_succeeded"},
      {"from-seq", "first seq (inclusive)"},
      {"to-seq", "last seq (inclusive)"},
      {"since", "recorded at or after: RFC 3339 with zone, or Unix ms"},
      {"until", "recorded before: RFC 3339 with zone, or Unix ms"},
  };
}

Result<history::EventFilter> history_filter_from(const Flags& flags) {
  history::EventFilter filter;
  for (std::string_view name : history::kFilterNames) {
    const std::optional<std::string> value = flags.get(name);
    if (!value) continue;
    if (Status status = filter.set(name, *value); !status.is_ok()) {
      return Status::invalid_argument("--" + status.message());
    }
  }
  return filter;
}

Result<std::unique_ptr<EventLog>> open_log_for_reading(const std::string& data_directory) {
  LogOptions options;
  options.mode = LogOptions::Mode::kReadOnly;
  options.create_if_missing = false;
  return EventLog::open(data_layout::log_directory(data_directory), options);
}

int report_failure(std::string_view command, const std::string& message, int exit_status) {
  std::fprintf(stderr, "turno %.*s: %s\n", int(command.size()), command.data(), message.c_str());
  return exit_status;
}

ProgressBar::ProgressBar(std::string label, std::string unit)
    : enabled_(isatty(STDERR_FILENO) == 1),
      label_(std::move(label)),
      unit_(std::move(unit)),
      started_(std::chrono::steady_clock::now()),
      drawn_(started_) {}

ProgressBar::~ProgressBar() {
  if (enabled_) std::fprintf(stderr, "\r\033[K");
}

void ProgressBar::update(std::uint64_t done, std::uint64_t total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - drawn_ < kRedrawInterval) return;
  drawn_ = now;
  const auto elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - started_).count();
  const std::uint64_t rate = elapsed_ms > 0 ? done * 1000 / std::uint64_t(elapsed_ms) : 0;
  if (total == 0) {
    std::fprintf(stderr, "\r\033[K%s %llu %s (%llu/s)", label_.c_str(),
                 static_cast<unsigned long long>(done), unit_.c_str(),
                 static_cast<unsigned long long>(rate));
  } else {
    constexpr std::uint64_t kBarWidth = 30;
    const std::uint64_t filled = std::min(kBarWidth, done * kBarWidth / total);
    std::fprintf(stderr, "\r\033[K%s [%s%s] %llu%% %llu/%llu %s (%llu/s)", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(kBarWidth - filled, '.').c_str(),
                 static_cast<unsigned long long>(std::min<std::uint64_t>(100, done * 100 / total)),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                 unit_.c_str(), static_cast<unsigned long long>(rate));
  }
  std::fflush(stderr);
}

}  // namespace turno::cli
