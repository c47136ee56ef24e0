// `turno <subcommand> [flags]`: each subcommand lives in its own file in api/cli/ and registers
// itself with TURNO_SUBCOMMAND, so adding one touches no shared table.
#pragma once

#include <string_view>
#include <vector>

namespace turno::cli {

struct Subcommand {
  std::string_view name;
  std::string_view summary;           // one line for `turno help`
  int (*run)(int argc, char** argv);  // argv[0] is the subcommand's name; returns exit status
};

bool register_subcommand(const Subcommand& subcommand);
const std::vector<Subcommand>& subcommands();

}  // namespace turno::cli

#define TURNO_SUBCOMMAND_CONCAT_INNER(a, b) a##b
#define TURNO_SUBCOMMAND_CONCAT(a, b) TURNO_SUBCOMMAND_CONCAT_INNER(a, b)
// TURNO_SUBCOMMAND("serve", "run the HTTP server", run_serve);
#define TURNO_SUBCOMMAND(name, summary, function)                                     \
  static const bool TURNO_SUBCOMMAND_CONCAT(turno_subcommand_registered_, __LINE__) = \
      ::turno::cli::register_subcommand({name, summary, function})
