// The export signing key and authenticated exports: the key file (created once, mode 0600,
// the same key on every load, refused when others may read it), and summaries that do not
// authenticate — forged, signed by another key, unsigned — or whose records were changed
// under an untouched signed summary.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "data_layout.h"
#include "export_units.h"
#include "history_fixture.h"

using namespace turno;
using namespace turno::history;
using namespace turno::testing;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ExportCheck authenticated(const std::string& text, Format format, const PublicKey& key) {
  ExportCheck check = verify_text(text, format);
  authenticate_export(check, key);
  return check;
}

void check_not_authentic(const ExportCheck& check, const std::string& words) {
  INFO(check.status.message());
  CHECK_FALSE(check.status.is_ok());
  CHECK_FALSE(check.authenticated);
  CHECK(check.status.message().find(words) != std::string::npos);
}

}  // namespace

TEST_CASE("the node's key is created once, private, and the same on every load") {
  TempDir dir;
  const std::string path = data_layout::export_signing_key_path(dir.path());
  CHECK(SigningKey::load(path).status().code() == Status::Code::kNotFound);
  Result<SigningKey> created = load_or_create_node_key(dir.path());
  REQUIRE_MESSAGE(created.is_ok(), created.status().message());
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  const std::string fingerprint = created.value().public_key().fingerprint();
  CHECK(fingerprint.size() == 64);
  CHECK(load_or_create_node_key(dir.path()).value().public_key().fingerprint() == fingerprint);
  CHECK(SigningKey::load(path).value().public_key().fingerprint() == fingerprint);
  CHECK(read_file(path).starts_with("-----BEGIN PRIVATE KEY-----"));

  // The published half reads back, and its fingerprint is SHA-256 of its DER encoding.
  const std::string pem = created.value().public_key().pem();
  CHECK(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
  CHECK(PublicKey::from_pem(pem).value().fingerprint() == fingerprint);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* parsed = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  unsigned char* der = nullptr;
  const int der_size = i2d_PUBKEY(parsed, &der);
  CHECK(to_hex(sha256(std::string_view(reinterpret_cast<char*>(der), std::size_t(der_size)))) ==
        fingerprint);
  OPENSSL_free(der);
  EVP_PKEY_free(parsed);
  BIO_free(bio);

  ::chmod(path.c_str(), 0644);
  CHECK(SigningKey::load(path).status().message().find("readable by others") != std::string::npos);
  CHECK_FALSE(load_or_create_node_key(dir.path()).is_ok());  // never replaced silently
  std::filesystem::remove(path);
  std::ofstream(path) << "not a key";
  ::chmod(path.c_str(), 0600);
  CHECK(SigningKey::load(path).status().code() == Status::Code::kInvalidArgument);
  CHECK(PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
            .status()
            .code() == Status::Code::kInvalidArgument);
}

TEST_CASE("creators of the key racing each other (threads here, processes alike) share one key") {
  TempDir dir;
  constexpr int kCreators = 8;
  std::vector<std::string> fingerprints(kCreators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCreators; ++i) {
    threads.emplace_back([&, i] {
      Result<SigningKey> key = load_or_create_node_key(dir.path());
      if (key.is_ok()) fingerprints[i] = key.value().public_key().fingerprint();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& fingerprint : fingerprints) CHECK(fingerprint == fingerprints[0]);
  CHECK_FALSE(fingerprints[0].empty());
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  CHECK(files == 1);  // no temporary left behind
}

TEST_CASE("a signed export authenticates with the node's public key, in every format") {
  HistoryFixture history(120);
  const SigningKey key = SigningKey::generate();
  EventFilter filter;
  REQUIRE(filter.set("tenant", "t1").is_ok());
  for (Format format : kFormats) {
    INFO(format_name(format));
    for (const EventFilter& each : {EventFilter{}, filter}) {
      const ExportCheck check =
          authenticated(export_text(history.log(), format, each, &key), format, key.public_key());
      REQUIRE_MESSAGE(check.status.is_ok(), check.status.message());
      CHECK(check.authenticated);
      CHECK(check.gapless == each.selects_every_event());
      CHECK(check.summary->key_fingerprint() == key.public_key().fingerprint());
      CHECK(check.summary->signature().size() == kEd25519SignatureBytes);
    }
  }
}

TEST_CASE("a forged summary, one signed by another key, or none, does not authenticate") {
  HistoryFixture history(120);
  const SigningKey node = SigningKey::generate();
  const SigningKey other = SigningKey::generate();
  for (Format format : kFormats) {
    INFO(format_name(format));
    const Units clean = split(export_text(history.log(), format, {}, &node), format);
    SUBCASE("truncated, with the summary rewritten to end where the export now ends") {
      // Consistent in itself: without the key nothing tells it from a smaller log's export.
      Units units = clean;
      units.items.erase(units.items.begin() + 60, units.items.end() - 1);
      const std::string hash_60 = read_units(units, format, 59, 60).at(0).hash();
      forge_summary(units, format, [&](v1::ExportSummary& summary) {
        summary.set_to_seq(60);
        summary.set_head_seq(60);
        summary.set_head_hash(hash_60);
      });
      // forge_summary cleared the signature: put the node's old one back, as a forger would.
      v1::ExportSummary forged =
          read_units(units, format, units.items.size() - 1, units.items.size())
              .at(0)
              .export_summary();
      forged.set_key_fingerprint(node.public_key().fingerprint());
      forged.set_signature(read_units(clean, format, clean.items.size() - 1, clean.items.size())
                               .at(0)
                               .export_summary()
                               .signature());
      units.items.back().clear();
      RecordEncoder(format).append_summary(forged, units.items.back());
      REQUIRE_MESSAGE(verify_text(units.joined(), format).status.is_ok(),
                      verify_text(units.joined(), format).status.message());
      check_not_authentic(authenticated(units.joined(), format, node.public_key()),
                          "signature does not verify");
    }
    SUBCASE("re-signed by another key") {
      Units units = clean;
      forge_summary(units, format, {}, &other);
      check_not_authentic(authenticated(units.joined(), format, node.public_key()),
                          "signed by key " + other.public_key().fingerprint());
    }
    SUBCASE("signed by another key that claims to be the node's") {
      Units units = clean;
      forge_summary(units, format, {}, &other);
      v1::ExportSummary forged =
          read_units(units, format, units.items.size() - 1, units.items.size())
              .at(0)
              .export_summary();
      forged.set_key_fingerprint(node.public_key().fingerprint());
      units.items.back().clear();
      RecordEncoder(format).append_summary(forged, units.items.back());
      check_not_authentic(authenticated(units.joined(), format, node.public_key()),
                          "signature does not verify");
    }
    SUBCASE("unsigned") {
      Units units = clean;
      forge_summary(units, format);
      check_not_authentic(authenticated(units.joined(), format, node.public_key()), "not signed");
    }
  }
}

TEST_CASE("a record changed under an untouched signed summary fails: the digest binds them") {
  // In a filtered export a record may be its own run, so no chain link catches a record
  // rewritten with a recomputed hash: only the signed digest of the records' hashes does.
  const SigningKey node = SigningKey::generate();
  const std::vector<HandRecord> records = {{3, "a"}, {7, "b"}, {9, "c"}};
  std::string text = hand_made_export(Format::kJsonl, records);
  Units units = split(text, Format::kJsonl);
  forge_summary(units, Format::kJsonl, {}, &node);  // the node's signed export
  REQUIRE(authenticated(units.joined(), Format::kJsonl, node.public_key()).authenticated);

  v1::Envelope record = read_units(units, Format::kJsonl, 1, 2).at(0);  // seq 7
  record.set_command_id("rewritten");
  record.clear_hash();
  Hash previous{};
  std::copy(record.prev_hash().begin(), record.prev_hash().end(), previous.begin());
  record.set_hash(std::string(as_bytes(chain_hash(previous, record.SerializeAsString()))));
  units.items[1] = envelope_json(record) + "\n";
  const ExportCheck check = authenticated(units.joined(), Format::kJsonl, node.public_key());
  check_not_authentic(check, "digest differs");
}
