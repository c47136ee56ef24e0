// Flag parsing for the CLI: `--name value`, `--name=value` and boolean `--name`, each also
// readable from the environment as TURNO_NAME (dashes become underscores, upper case). A flag
// on the command line wins over the environment. Unknown flags and missing values are errors
// that name the flag.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace turno::cli {

struct FlagSpec {
  std::string_view name;    // without dashes: "data", "listen"
  std::string_view help;    // one line
  bool takes_value = true;  // false: a boolean switch
  std::string_view default_value = {};
};

class Flags {
 public:
  // Parses argv[1..] (argv[0] is the subcommand). On error, error() says why.
  Flags(int argc, char** argv, std::vector<FlagSpec> specs);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // The flag's value from the command line, else the environment, else its default.
  std::optional<std::string> get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string_view fallback) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // A whole number; nullopt (and error()) when present but malformed.
  std::optional<std::int64_t> get_int(std::string_view name);
  const std::vector<std::string>& positional() const { return positional_; }
  // "usage: turno NAME [flags]" and one line per flag.
  std::string usage(std::string_view subcommand) const;

 private:
  const FlagSpec* find(std::string_view name) const;
  std::vector<FlagSpec> specs_;
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> positional_;
  std::string error_;
};

// TURNO_DATA for "data", TURNO_JWT_SECRET for "jwt-secret".
std::string environment_name(std::string_view flag);

}  // namespace turno::cli
