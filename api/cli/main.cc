// `turno`: one binary for the server and every tool. Subcommands register themselves
// (subcommand.h); this file only dispatches.
#include <cstdio>
#include <string_view>

#include "subcommand.h"

namespace turno::cli {

namespace {
std::vector<Subcommand>& registry() {
  static std::vector<Subcommand> all;
  return all;
}
}  // namespace

bool register_subcommand(const Subcommand& subcommand) {
  registry().push_back(subcommand);
  return true;
}

const std::vector<Subcommand>& subcommands() {
  return registry();
}

}  // namespace turno::cli

int main(int argc, char** argv) {
  using turno::cli::subcommands;
  const std::string_view name = argc > 1 ? argv[1] : "help";
  for (const auto& subcommand : subcommands()) {
    if (subcommand.name == name) return subcommand.run(argc - 1, argv + 1);
  }
  const bool asked = name == "help" || name == "--help" || name == "-h";
  std::FILE* out = asked ? stdout : stderr;
  if (!asked)
    std::fprintf(out, "turno: unknown subcommand '%.*s'\n", int(name.size()), name.data());
  std::fprintf(out, "usage: turno <subcommand> [flags]   (turno <subcommand> --help for flags)\n");
  for (const auto& subcommand : subcommands()) {
    std::fprintf(out, "  %-10.*s %.*s\n", int(subcommand.name.size()), subcommand.name.data(),
                 int(subcommand.summary.size()), subcommand.summary.data());
  }
  return asked ? 0 : 2;
}
