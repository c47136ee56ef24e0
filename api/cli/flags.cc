#include "flags.h"

#include <cstdlib>

namespace turno::cli {

std::string environment_name(std::string_view flag) {
  std::string name = "TURNO_";
  for (char c : flag) name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  return name;
}

Flags::Flags(int argc, char** argv, std::vector<FlagSpec> specs) : specs_(std::move(specs)) {
  for (int i = 1; i < argc && error_.empty(); ++i) {
    std::string_view argument = argv[i];
    if (argument.size() < 3 || argument.substr(0, 2) != "--") {
      positional_.emplace_back(argument);
      continue;
    }
    argument.remove_prefix(2);
    std::optional<std::string_view> inline_value;
    if (const auto equals = argument.find('='); equals != std::string_view::npos) {
      inline_value = argument.substr(equals + 1);
      argument = argument.substr(0, equals);
    }
    const FlagSpec* spec = find(argument);
    if (spec == nullptr) {
      error_ = "unknown flag --" + std::string(argument);
    } else if (!spec->takes_value) {
      values_[std::string(argument)] = inline_value ? std::string(*inline_value) : "true";
    } else if (inline_value) {
      values_[std::string(argument)] = std::string(*inline_value);
    } else if (i + 1 < argc) {
      values_[std::string(argument)] = argv[++i];
    } else {
      error_ = "flag --" + std::string(argument) + " needs a value";
    }
  }
}

const FlagSpec* Flags::find(std::string_view name) const {
  for (const FlagSpec& spec : specs_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<std::string> Flags::get(std::string_view name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  if (const char* from_environment = std::getenv(environment_name(name).c_str())) {
    return std::string(from_environment);
  }
  const FlagSpec* spec = find(name);
  if (spec != nullptr && !spec->default_value.empty()) return std::string(spec->default_value);
  return std::nullopt;
}

std::string Flags::get_or(std::string_view name, std::string_view fallback) const {
  return get(name).value_or(std::string(fallback));
}

std::optional<std::int64_t> Flags::get_int(std::string_view name) {
  const std::optional<std::string> text = get(name);
  if (!text) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno != 0) {
    error_ = "flag --" + std::string(name) + " must be a whole number";
    return std::nullopt;
  }
  return value;
}

std::string Flags::usage(std::string_view subcommand) const {
  std::string out = "usage: turno " + std::string(subcommand) + " [flags]\n";
  for (const FlagSpec& spec : specs_) {
    out += "  --" + std::string(spec.name) + (spec.takes_value ? " VALUE" : "");
    out += "  " + std::string(spec.help);
    if (!spec.default_value.empty()) out += " (default " + std::string(spec.default_value) + ")";
    out += "  [" + environment_name(spec.name) + "]\n";
  }
  return out;
}

}  // namespace turno::cli
