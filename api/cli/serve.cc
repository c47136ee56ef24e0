// `turno serve`: the engine behind the HTTP API, until SIGINT or SIGTERM.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "api.h"
#include "engine.h"
#include "flags.h"
#include "history_signing.h"
#include "serve_notifications.h"
#include "serve_rate_limits.h"
#include "serve_views.h"
#include "server.h"
#include "subcommand.h"

extern char** environ;

namespace turno::cli {
namespace {

constexpr std::string_view kWebhookSecretPrefix = "TURNO_WEBHOOK_SECRET_";
// 9464: the port OpenTelemetry's Prometheus exporter uses, on loopback only.
constexpr std::string_view kMetricsListenDefault = "127.0.0.1:9464";

std::vector<FlagSpec> serve_flags() {
  std::vector<FlagSpec> flags = {
      {"data", "directory of the event log (created if missing)"},
      {"listen", "address to listen on, host:port", true, "127.0.0.1:8080"},
      {"metrics-listen",
       "internal address for /metrics (and /healthz, /readyz), host:port; 'main' serves /metrics "
       "on --listen instead (it names tenants: keep it off the public listener)",
       true, kMetricsListenDefault},
      {"io-threads", "I/O threads", true, "2"},
      {"jwt-secret", "HS256 secret for bearer tokens"},
      {"jwt-public-key", "PEM file: RSA (RS256) or EC P-256 (ES256) public key"},
      {"body-limit-bytes", "largest request body", true, "65536"},
      {"header-limit-bytes", "largest request header block", true, "16384"},
      {"idle-timeout-ms", "keep-alive idle time before closing", true, "30000"},
      {"header-timeout-ms", "time to read a request's header", true, "10000"},
      {"body-timeout-ms", "time to read a request's body", true, "30000"},
      {"pipeline-max", "requests read ahead per connection", true, "8"},
      {"connections-max", "open connections; beyond them 503", true, "4096"},
      {"access-log", "file for JSON access logs; '-' for stderr, 'off' for none", true, "-"},
      {"help", "show this help", false},
  };
  for (FlagSpec& spec : node_flags()) flags.push_back(spec);
  for (FlagSpec& spec : rate_limit_flags()) flags.push_back(spec);
  for (FlagSpec& spec : notification_flags()) flags.push_back(spec);
  return flags;
}

// TURNO_WEBHOOK_SECRET_STRIPE=... -> {"stripe": "..."}.
std::map<std::string, std::string, std::less<>> webhook_secrets_from_environment() {
  std::map<std::string, std::string, std::less<>> secrets;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    if (!text.starts_with(kWebhookSecretPrefix)) continue;
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    std::string provider(
        text.substr(kWebhookSecretPrefix.size(), equals - kWebhookSecretPrefix.size()));
    for (char& c : provider) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    secrets[provider] = std::string(text.substr(equals + 1));
  }
  return secrets;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::FILE* open_access_log(const std::string& where) {
  if (where == "off") return nullptr;
  if (where == "-") return stderr;
  return std::fopen(where.c_str(), "a");
}

// Reads the numeric flags into `options`; false (flags.error() says why) on a malformed one.
bool read_server_options(Flags& flags, api::ServerOptions& options) {
  options.listen = flags.get_or("listen", "127.0.0.1:8080");
  options.metrics_listen = flags.get_or("metrics-listen", kMetricsListenDefault);
  if (options.metrics_listen == "main") options.metrics_listen.clear();
  auto number = [&](std::string_view name) { return flags.get_int(name).value_or(0); };
  options.io_threads = static_cast<int>(number("io-threads"));
  options.body_bytes_max = static_cast<std::size_t>(number("body-limit-bytes"));
  options.header_bytes_max = static_cast<std::size_t>(number("header-limit-bytes"));
  options.idle_timeout = std::chrono::milliseconds(number("idle-timeout-ms"));
  options.header_timeout = std::chrono::milliseconds(number("header-timeout-ms"));
  options.body_timeout = std::chrono::milliseconds(number("body-timeout-ms"));
  options.pipeline_max = static_cast<std::size_t>(number("pipeline-max"));
  options.connections_max = static_cast<std::size_t>(number("connections-max"));
  return flags.ok();
}

Result<api::ApiOptions> read_api_options(const Flags& flags) {
  api::JwtKeys keys;
  keys.hs256_secret = flags.get_or("jwt-secret", "");
  if (const auto pem_path = flags.get("jwt-public-key")) {
    const auto pem = read_file(*pem_path);
    if (!pem) return Status::invalid_argument("cannot read " + *pem_path);
    keys.public_key_pem = *pem;
  }
  auto verifier = api::JwtVerifier::create(keys);
  if (!verifier.is_ok()) return verifier.status();
  api::ApiOptions options;
  options.jwt = std::move(verifier).value();
  options.webhook_secrets = webhook_secrets_from_environment();
  options.access_log = open_access_log(flags.get_or("access-log", "-"));
  auto rate_limits = read_rate_limits(flags);
  if (!rate_limits.is_ok()) return rate_limits.status();
  options.rate_limits = std::move(rate_limits).value();
  return options;
}

int run_serve(int argc, char** argv) {
  Flags flags(argc, argv, serve_flags());
  if (flags.has("help")) return std::printf("%s", flags.usage("serve").c_str()), 0;
  api::ServerOptions server_options;
  const auto data = flags.get("data");
  if (!flags.ok() || !data || !read_server_options(flags, server_options)) {
    std::fprintf(stderr, "turno serve: %s\n%s",
                 flags.ok() ? "--data is required" : flags.error().c_str(),
                 flags.usage("serve").c_str());
    return 2;
  }
  auto api_options = read_api_options(flags);
  if (!api_options.is_ok()) {
    std::fprintf(stderr, "turno serve: %s\n", api_options.status().message().c_str());
    return 2;
  }
  if (api_options.value().jwt && flags.get_or("jwt-secret", "").empty() &&
      !flags.has("jwt-public-key")) {
    std::fprintf(stderr,
                 "turno serve: no --jwt-secret or --jwt-public-key: every route but the "
                 "public ones will answer 401\n");
  }
  const Result<NodeRole> role = node_role(flags);
  if (!role.is_ok()) {
    std::fprintf(stderr, "turno serve: %s\n", role.status().message().c_str());
    return 2;
  }
  SystemClock clock;
  std::unique_ptr<Engine> engine;
  if (role.value() != NodeRole::kQuery) {
    auto opened = Engine::open(*data, clock);
    if (!opened.is_ok()) {
      std::fprintf(stderr, "turno serve: cannot open %s: %s\n", data->c_str(),
                   opened.status().message().c_str());
      return 1;
    }
    engine = std::move(opened).value();
  }
  auto read_side = ReadSide::start(role.value(), *data, flags, engine ? &engine->log() : nullptr);
  if (!read_side.is_ok()) {
    std::fprintf(stderr, "turno serve: %s\n", read_side.status().message().c_str());
    return 1;
  }
  Result<std::unique_ptr<Notifications>> notifications = std::unique_ptr<Notifications>();
  if (engine) notifications = Notifications::start(*data, flags, clock, engine->log());
  if (!notifications.is_ok()) {
    std::fprintf(stderr, "turno serve: %s\n", notifications.status().message().c_str());
    return 1;
  }
  auto api = engine ? std::make_unique<api::Api>(*engine, clock, std::move(api_options).value())
                    : std::make_unique<api::Api>(clock, std::move(api_options).value());
  if (Status attached = read_side.value()->attach(*api); !attached.is_ok()) {
    std::fprintf(stderr, "turno serve: %s\n", attached.message().c_str());
    return 1;
  }
  if (notifications.value()) notifications.value()->attach(*api);
  if (engine) {  // signs the summaries of GET /v1/events (history_signing.h)
    Result<history::SigningKey> key = history::load_or_create_node_key(*data);
    if (!key.is_ok()) {
      std::fprintf(stderr, "turno serve: %s\n", key.status().message().c_str());
      return 1;
    }
    api->provide(std::make_shared<history::SigningKey>(std::move(key).value()));
  }
  api::Server server(*api, server_options);
  if (Status started = server.start(); !started.is_ok()) {
    std::fprintf(stderr, "turno serve: %s\n", started.message().c_str());
    return 1;
  }
  std::string metrics_url = "main";
  if (!server_options.metrics_listen.empty()) {
    metrics_url = "http://" + server.metrics_endpoint().address().to_string() + ":" +
                  std::to_string(server.metrics_endpoint().port());
  }
  std::fprintf(stderr, "{\"msg\":\"listening\",\"url\":\"http://%s:%u\",\"metrics_url\":\"%s\"}\n",
               server.endpoint().address().to_string().c_str(), server.endpoint().port(),
               metrics_url.c_str());
  server.run_until_signal();
  if (notifications.value()) notifications.value()->stop();
  read_side.value()->stop();
  std::fprintf(stderr, "{\"msg\":\"stopped\"}\n");
  return 0;
}

}  // namespace
}  // namespace turno::cli

TURNO_SUBCOMMAND("serve", "run the HTTP API on the event log in --data", turno::cli::run_serve);
