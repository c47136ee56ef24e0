// The node's export signing key: Ed25519 (RFC 8032) through OpenSSL 3, and the signature of
// an export's summary (the format is in README.md, for auditors).
//
// The private key is a secret of the node. It lives in its own file in the data directory
// (data_layout::export_signing_key_path), PEM PKCS#8, mode 0600, created on first use; it never
// enters the log, an export, NATS or a log line. The public key is published (GET
// /v1/events/signing-key, `turno signing-key`) as PEM SubjectPublicKeyInfo, and named in every
// signed summary by its fingerprint: the lowercase hex SHA-256 of its DER encoding, which
// `openssl pkey -pubin -in key.pem -outform DER | sha256sum` recomputes.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "events.pb.h"
#include "status.h"

namespace turno::history {

// Prefixed to the summary's bytes before signing, so that no other message signed by the key
// can pass for a summary.
inline constexpr std::string_view kSummarySignatureContext = "turno export summary v1\n";
inline constexpr std::size_t kEd25519KeyBytes = 32;
inline constexpr std::size_t kEd25519SignatureBytes = 64;
// A key file is a few hundred bytes; anything larger is not one.
inline constexpr std::size_t kKeyFileBytesMax = 16 * 1024;

class PublicKey {
 public:
  // From PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"); kInvalidArgument unless it
  // is an Ed25519 key.
  static Result<PublicKey> from_pem(std::string_view pem);
  // The same, read from a file (kIoError when unreadable).
  static Result<PublicKey> read_file(const std::string& path);

  std::string pem() const;
  const std::string& fingerprint() const { return fingerprint_; }
  // True when `signature` is this key's Ed25519 signature of `message`.
  bool verifies(std::string_view message, std::string_view signature) const;

 private:
  friend class SigningKey;
  explicit PublicKey(const std::array<unsigned char, kEd25519KeyBytes>& raw);
  std::array<unsigned char, kEd25519KeyBytes> raw_{};
  std::string fingerprint_;
};

class SigningKey {
 public:
  // Loads the key at `path`, or creates it there (mode 0600, fsynced) when no file exists.
  // Two processes creating it at once end up with the same key (the file appears atomically,
  // by link(2), and the loser loads the winner's). kInvalidArgument for a file that is not an
  // Ed25519 private key or that others may read (mode & 077); kIoError when it cannot be read
  // or written.
  static Result<SigningKey> load_or_create(const std::string& path);
  // Loads the key at `path`, never creating it: kNotFound when there is none.
  static Result<SigningKey> load(const std::string& path);
  // A fresh key in memory only (tests).
  static SigningKey generate();

  SigningKey(const SigningKey& other) = default;
  SigningKey& operator=(const SigningKey& other) = default;
  ~SigningKey();

  const PublicKey& public_key() const { return public_key_; }
  // The Ed25519 signature (64 bytes) of `message`.
  std::string sign(std::string_view message) const;

 private:
  SigningKey(const std::array<unsigned char, kEd25519KeyBytes>& raw_private,
             const PublicKey& public_key)
      : private_(raw_private), public_key_(public_key) {}
  std::array<unsigned char, kEd25519KeyBytes> private_{};
  PublicKey public_key_;
};

// The node's key: load_or_create at data_layout::export_signing_key_path(data_directory).
Result<SigningKey> load_or_create_node_key(const std::string& data_directory);

// What a summary's signature covers: kSummarySignatureContext, then the summary serialized
// (canonical protobuf) with its `signature` field cleared.
std::string summary_signed_bytes(const v1::ExportSummary& summary);
// Sets the summary's key_fingerprint, then its signature.
void sign_summary(v1::ExportSummary& summary, const SigningKey& key);
// OK when the summary names `key` and its signature verifies; kCorruption saying which is not
// so (unsigned, signed by another key, or a signature that does not verify: forged or
// altered).
Status check_summary_signature(const v1::ExportSummary& summary, const PublicKey& key);

}  // namespace turno::history
