// `turno signing-key`: the public half of the node's export signing key, as PEM on stdout (the
// key is created on first use); its fingerprint on stderr. Auditors pass the PEM to
// `turno verify --file F --public-key K`. The private key never leaves the data directory.
#include <cstdio>

#include "history_cli.h"
#include "history_signing.h"
#include "subcommand.h"

namespace turno::cli {
namespace {

int run_signing_key(int argc, char** argv) {
  Flags flags(argc, argv,
              {{"data", "the server's data directory (its key is created there if missing)"},
               {"help", "show this help", false}});
  if (flags.has("help")) return std::printf("%s", flags.usage("signing-key").c_str()), 0;
  const std::optional<std::string> data = flags.get("data");
  if (!flags.ok() || !data) {
    const std::string why = flags.ok() ? "--data is required" : flags.error();
    return report_failure("signing-key", why + "\n" + flags.usage("signing-key"), 2);
  }
  Result<std::unique_ptr<EventLog>> log = open_log_for_reading(*data);
  if (!log.is_ok()) return report_failure("signing-key", log.status().message(), 1);
  Result<history::SigningKey> key = history::load_or_create_node_key(*data);
  if (!key.is_ok()) return report_failure("signing-key", key.status().message(), 1);
  const history::PublicKey& public_key = key.value().public_key();
  std::printf("%s", public_key.pem().c_str());
  std::fprintf(stderr, "turno signing-key: Ed25519, fingerprint %s, log %s\n",
               public_key.fingerprint().c_str(), log.value()->log_id().c_str());
  return 0;
}

}  // namespace

TURNO_SUBCOMMAND("signing-key", "print the public key that signs this node's exports (PEM)",
                 run_signing_key);

}  // namespace turno::cli
