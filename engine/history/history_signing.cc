#include "history_signing.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "data_layout.h"
#include "sha256.h"

namespace turno::history {
namespace {

using RawKey = std::array<unsigned char, kEd25519KeyBytes>;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;
using MdContext = std::unique_ptr<EVP_MD_CTX, MdContextFree>;

Pkey public_pkey(const RawKey& raw) {
  return Pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size()));
}

Pkey private_pkey(const RawKey& raw) {
  return Pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size()));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Bio memory_bio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

RawKey raw_public_of(EVP_PKEY* key) {
  RawKey raw{};
  std::size_t size = raw.size();
  VERIFY(EVP_PKEY_get_raw_public_key(key, raw.data(), &size) == 1 && size == raw.size(),
         "an Ed25519 key has a 32-byte public part");
  return raw;
}

std::string errno_text() {
  return std::strerror(errno);
}

// The whole file at `path`, at most kKeyFileBytesMax; kNotFound when there is none.
Result<std::string> read_small_file(const std::string& path, struct stat& info) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::not_found("no key at " + path);
    return Status::io_error("cannot read " + path + ": " + errno_text());
  }
  std::string text(kKeyFileBytesMax + 1, '\0');
  ssize_t size = -1;
  if (::fstat(fd, &info) == 0) size = ::read(fd, text.data(), text.size());
  ::close(fd);
  if (size < 0) return Status::io_error("cannot read " + path + ": " + errno_text());
  if (static_cast<std::size_t>(size) > kKeyFileBytesMax) {
    return Status::invalid_argument(path + " is too large to be a key");
  }
  text.resize(static_cast<std::size_t>(size));
  return text;
}

Status write_all_synced(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return Status::io_error(errno_text());
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return ::fsync(fd) == 0 ? Status::ok() : Status::io_error(errno_text());
}

Status sync_directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : path.substr(0, slash);
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::io_error("cannot open " + directory + ": " + errno_text());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced ? Status::ok() : Status::io_error("cannot sync " + directory);
}

// Writes `pem` to a private temporary file, then links it to `path`: the key file appears
// whole or not at all, and an existing one is never replaced. kBusy when one already exists.
Status publish_key_file(const std::string& path, std::string_view pem) {
  unsigned char nonce[8];
  VERIFY(RAND_bytes(nonce, sizeof nonce) == 1, "OpenSSL's generator gives random bytes");
  const std::string temporary =
      path + ".tmp-" + to_hex(std::string_view(reinterpret_cast<char*>(nonce), sizeof nonce));
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::io_error("cannot create " + temporary + ": " + errno_text());
  Status written = write_all_synced(fd, pem);
  ::close(fd);
  if (written.is_ok() && ::link(temporary.c_str(), path.c_str()) != 0) {
    written = errno == EEXIST ? Status::busy(path + " exists")
                              : Status::io_error("cannot create " + path + ": " + errno_text());
  }
  ::unlink(temporary.c_str());
  if (!written.is_ok()) return written;
  return sync_directory_of(path);
}

}  // namespace

// ---------------------------------------------------------------------------------- PublicKey

PublicKey::PublicKey(const RawKey& raw) : raw_(raw) {
  Pkey key = public_pkey(raw_);
  VERIFY(key != nullptr, "32 bytes make an Ed25519 public key");
  unsigned char* der = nullptr;
  const int size = i2d_PUBKEY(key.get(), &der);
  VERIFY(size > 0, "a public key encodes as DER");
  fingerprint_ = to_hex(
      sha256(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size))));
  OPENSSL_free(der);
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  Bio bio = memory_bio(pem);
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) return Status::invalid_argument("not a PEM public key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    return Status::invalid_argument("not an Ed25519 public key");
  }
  return PublicKey(raw_public_of(key.get()));
}

Result<PublicKey> PublicKey::read_file(const std::string& path) {
  struct stat info {};
  Result<std::string> text = read_small_file(path, info);
  if (!text.is_ok()) {
    if (text.status().code() == Status::Code::kNotFound) return Status::io_error("no " + path);
    return text.status();
  }
  Result<PublicKey> key = from_pem(text.value());
  if (!key.is_ok()) return Status::invalid_argument(path + ": " + key.status().message());
  return key;
}

std::string PublicKey::pem() const {
  Pkey key = public_pkey(raw_);
  VERIFY(key != nullptr, "32 bytes make an Ed25519 public key");
  Bio bio(BIO_new(BIO_s_mem()));
  VERIFY(PEM_write_bio_PUBKEY(bio.get(), key.get()) == 1, "a public key writes as PEM");
  return bio_text(bio.get());
}

bool PublicKey::verifies(std::string_view message, std::string_view signature) const {
  if (signature.size() != kEd25519SignatureBytes) return false;
  Pkey key = public_pkey(raw_);
  MdContext context(EVP_MD_CTX_new());
  VERIFY(key != nullptr && context != nullptr, "OpenSSL allocates");
  if (EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

// --------------------------------------------------------------------------------- SigningKey

SigningKey::~SigningKey() {
  OPENSSL_cleanse(private_.data(), private_.size());
}

SigningKey SigningKey::generate() {
  RawKey raw{};
  VERIFY(RAND_priv_bytes(raw.data(), static_cast<int>(raw.size())) == 1,
         "OpenSSL's generator gives random bytes");
  Pkey key = private_pkey(raw);
  VERIFY(key != nullptr, "32 random bytes make an Ed25519 private key");
  SigningKey signing_key(raw, PublicKey(raw_public_of(key.get())));
  OPENSSL_cleanse(raw.data(), raw.size());
  return signing_key;
}

Result<SigningKey> SigningKey::load(const std::string& path) {
  struct stat info {};
  Result<std::string> text = read_small_file(path, info);
  if (!text.is_ok()) return text.status();
  if ((info.st_mode & 077) != 0) {
    return Status::invalid_argument(path + " is readable by others: chmod 600 it (it is the " +
                                    "node's secret signing key)");
  }
  Bio bio = memory_bio(text.value());
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  OPENSSL_cleanse(text.value().data(), text.value().size());
  if (key == nullptr || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    return Status::invalid_argument(path + " is not an Ed25519 private key in PEM");
  }
  RawKey raw{};
  std::size_t size = raw.size();
  VERIFY(EVP_PKEY_get_raw_private_key(key.get(), raw.data(), &size) == 1 && size == raw.size(),
         "an Ed25519 key has a 32-byte private part");
  SigningKey signing_key(raw, PublicKey(raw_public_of(key.get())));
  OPENSSL_cleanse(raw.data(), raw.size());
  return signing_key;
}

Result<SigningKey> SigningKey::load_or_create(const std::string& path) {
  Result<SigningKey> existing = load(path);
  if (existing.status().code() != Status::Code::kNotFound) return existing;
  const SigningKey fresh = generate();
  Pkey key = private_pkey(fresh.private_);
  Bio bio(BIO_new(BIO_s_mem()));
  VERIFY(key != nullptr && PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0,
                                                    nullptr, nullptr) == 1,
         "a private key writes as PEM");
  std::string pem = bio_text(bio.get());
  Status published = publish_key_file(path, pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (published.code() == Status::Code::kBusy) return load(path);  // another process won
  if (!published.is_ok()) return published;
  return fresh;
}

std::string SigningKey::sign(std::string_view message) const {
  Pkey key = private_pkey(private_);
  MdContext context(EVP_MD_CTX_new());
  VERIFY(key != nullptr && context != nullptr, "OpenSSL allocates");
  std::string signature(kEd25519SignatureBytes, '\0');
  std::size_t size = signature.size();
  VERIFY(EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
             EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()),
                            &size, reinterpret_cast<const unsigned char*>(message.data()),
                            message.size()) == 1 &&
             size == kEd25519SignatureBytes,
         "Ed25519 signs");
  return signature;
}

Result<SigningKey> load_or_create_node_key(const std::string& data_directory) {
  return SigningKey::load_or_create(data_layout::export_signing_key_path(data_directory));
}

// --------------------------------------------------------------------------- summary signature

std::string summary_signed_bytes(const v1::ExportSummary& summary) {
  v1::ExportSummary unsigned_summary = summary;
  unsigned_summary.clear_signature();
  std::string bytes(kSummarySignatureContext);
  VERIFY(unsigned_summary.AppendToString(&bytes), "a summary serializes");
  return bytes;
}

void sign_summary(v1::ExportSummary& summary, const SigningKey& key) {
  summary.set_key_fingerprint(key.public_key().fingerprint());
  summary.set_signature(key.sign(summary_signed_bytes(summary)));
}

Status check_summary_signature(const v1::ExportSummary& summary, const PublicKey& key) {
  if (summary.signature().empty()) {
    return Status::corruption("the export summary is not signed");
  }
  if (summary.key_fingerprint() != key.fingerprint()) {
    return Status::corruption("the export summary is signed by key " + summary.key_fingerprint() +
                              ", not by the key given (" + key.fingerprint() + ")");
  }
  if (!key.verifies(summary_signed_bytes(summary), summary.signature())) {
    return Status::corruption(
        "the export summary's signature does not verify: the summary was forged or altered");
  }
  return Status::ok();
}

}  // namespace turno::history
