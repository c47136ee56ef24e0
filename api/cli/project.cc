// `turno project`: views as a process of their own, fed from NATS JetStream (no HTTP): they
// keep their state and checkpoint in DATA/views/<name>, catch up after a restart, and print
// where they are every few seconds until SIGINT or SIGTERM. `turno serve --role query` does
// the same behind the read routes.
#include <signal.h>

#include <cstdio>
#include <sstream>

#include "command_bus.h"
#include "history_cli.h"
#include "query_side.h"
#include "subcommand.h"

namespace turno::cli {
namespace {

constexpr int kStatusEveryS = 5;

std::vector<FlagSpec> project_flags() {
  return {
      {"nats", "NATS url, nats://host:port (required)"},
      {"data", "this node's data directory: its views live in DATA/views"},
      {"view", "views to run, comma-separated (default: all)"},
      {"nats-consumer", "the durable JetStream consumer: one name per process", true,
       "turno-project"},
      {"help", "show this help", false},
  };
}

// Blocks SIGINT and SIGTERM in this thread (and the threads it starts later); waits for one
// of them for at most `seconds`. True when one came.
bool signalled_within(int seconds) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  const timespec wait{seconds, 0};
  return sigtimedwait(&set, nullptr, &wait) > 0;
}

void print_status(const projections::QuerySide& views) {
  for (const projections::ViewStatus& view : views.status()) {
    std::printf("{\"view\":\"%s\",\"applied_seq\":%llu,\"lag_events\":%llu,\"lag_ms\":%lld}\n",
                view.name.c_str(), static_cast<unsigned long long>(view.applied.value),
                static_cast<unsigned long long>(view.lag_events),
                static_cast<long long>(view.lag_ms));
  }
  if (Status error = views.feed_error(); !error.is_ok()) {
    std::printf("{\"feed_error\":\"%s\"}\n", error.message().c_str());
  }
  std::fflush(stdout);
}

int run_project(int argc, char** argv) {
  Flags flags(argc, argv, project_flags());
  if (flags.has("help")) return std::printf("%s", flags.usage("project").c_str()), 0;
  const auto nats = flags.get("nats");
  const auto data = flags.get("data");
  if (!flags.ok() || !nats || !data) {
    return report_failure("project",
                          (flags.ok() ? "--nats and --data are required" : flags.error()) + "\n" +
                              flags.usage("project"),
                          2);
  }
  signalled_within(0);  // block the signals before any thread starts
  projections::QuerySideOptions options;
  options.views_directory = projections::views_directory(*data);
  std::stringstream names(flags.get_or("view", ""));
  for (std::string name; std::getline(names, name, ',');) {
    if (!name.empty()) options.views.push_back(name);
  }
  std::vector<std::string> report;
  auto views = projections::QuerySide::open(options, report);
  for (const std::string& line : report) std::fprintf(stderr, "turno project: %s\n", line.c_str());
  if (!views.is_ok()) return report_failure("project", views.status().message(), 1);
  projections::NatsFeedOptions feed;
  feed.url = *nats;
  feed.durable = flags.get_or("nats-consumer", "turno-project");
  if (Status started = views.value()->start_nats(feed); !started.is_ok()) {
    return report_failure("project", started.message(), 2);
  }
  while (!signalled_within(kStatusEveryS)) print_status(*views.value());
  views.value()->stop();
  print_status(*views.value());
  return 0;
}

}  // namespace

TURNO_SUBCOMMAND("project", "run read views fed from NATS JetStream, without HTTP", run_project);

}  // namespace turno::cli
