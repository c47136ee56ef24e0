#include "snapshot_store.h"

#include <rocksdb/write_batch.h>

#include <algorithm>

#include "sha256.h"
#include "snapshot_format.h"

namespace turno {
namespace {

namespace fmt = snapshot_format;

std::string encode_u64(std::uint64_t value) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

std::uint64_t decode_u64(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

std::string key(Seq seq, std::uint32_t chunk) {
  std::string out = encode_u64(seq.value);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(chunk >> shift));
  return out;
}

std::uint32_t decode_u32(std::string_view bytes) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

std::string encode_u32(std::uint32_t value) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

struct Manifest {
  Seq seq;
  std::uint64_t payload_bytes = 0;
  std::uint32_t chunks = 0;
  Hash sha256{};
};

std::string encode_manifest(const Manifest& manifest) {
  std::string out(fmt::kMagic);
  out += encode_u32(fmt::kFormatVersion);
  out += encode_u64(manifest.seq.value);
  out += encode_u64(manifest.payload_bytes);
  out += encode_u32(manifest.chunks);
  out += as_bytes(manifest.sha256);
  return out;
}

std::optional<Manifest> decode_manifest(std::string_view bytes) {
  if (bytes.size() != fmt::kManifestBytes || bytes.substr(0, 4) != fmt::kMagic ||
      decode_u32(bytes.substr(4)) != fmt::kFormatVersion) {
    return std::nullopt;
  }
  Manifest manifest;
  manifest.seq = Seq{decode_u64(bytes.substr(8))};
  manifest.payload_bytes = decode_u64(bytes.substr(16));
  manifest.chunks = decode_u32(bytes.substr(24));
  std::copy_n(bytes.data() + 28, 32, manifest.sha256.begin());
  return manifest;
}

Status from_rocksdb(const rocksdb::Status& status, const std::string& what) {
  if (status.ok()) return Status::ok();
  if (status.IsCorruption()) return Status::corruption(what + ": " + status.ToString());
  return Status::io_error(what + ": " + status.ToString());
}

}  // namespace

SnapshotStore::~SnapshotStore() {
  if (db_) db_->Close().PermitUncheckedError();
}

Result<std::unique_ptr<SnapshotStore>> SnapshotStore::open(const std::string& directory,
                                                           SnapshotStoreOptions options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.paranoid_checks = true;
  // Snapshots are large values: keep them in blob files, out of the LSM tree.
  db_options.enable_blob_files = true;
  db_options.min_blob_size = 64 * 1024;
  db_options.write_buffer_size = 64u << 20;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = options.read_only
                               ? rocksdb::DB::OpenForReadOnly(db_options, directory, &raw)
                               : rocksdb::DB::Open(db_options, directory, &raw);
  if (!status.ok()) return from_rocksdb(status, "snapshots: open " + directory);
  std::unique_ptr<SnapshotStore> store(new SnapshotStore());
  store->db_.reset(raw);
  store->options_ = options;
  return store;
}

Status SnapshotStore::write(Seq seq, std::string_view payload) {
  if (options_.read_only) return Status::invalid_argument("snapshots: store is read-only");
  Manifest manifest;
  manifest.seq = seq;
  manifest.payload_bytes = payload.size();
  manifest.chunks = static_cast<std::uint32_t>((payload.size() + fmt::kChunkBytes - 1) /
                                               fmt::kChunkBytes);
  manifest.sha256 = sha256(payload);
  rocksdb::WriteBatch batch;
  // Clear whatever an earlier snapshot at this seq left, then write this one.
  VERIFY(batch.DeleteRange(key(seq, 0), key(seq, fmt::kManifestChunk)).ok(), "batch delete");
  for (std::uint32_t chunk = 0; chunk < manifest.chunks; ++chunk) {
    const std::size_t offset = static_cast<std::size_t>(chunk) * fmt::kChunkBytes;
    VERIFY(batch.Put(key(seq, chunk), payload.substr(offset, fmt::kChunkBytes)).ok(),
           "batch put");
  }
  VERIFY(batch.Put(key(seq, fmt::kManifestChunk), encode_manifest(manifest)).ok(), "batch put");
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  return from_rocksdb(db_->Write(write_options, &batch), "snapshots: write");
}

Result<SnapshotStore::Snapshot> SnapshotStore::read(Seq seq) const {
  std::string manifest_bytes;
  rocksdb::Status status = db_->Get({}, key(seq, fmt::kManifestChunk), &manifest_bytes);
  if (!status.ok()) return from_rocksdb(status, "snapshots: read manifest");
  const std::optional<Manifest> manifest = decode_manifest(manifest_bytes);
  const std::string name = "snapshot at seq " + std::to_string(seq.value);
  if (!manifest || manifest->seq != seq) return Status::corruption(name + ": bad manifest");
  Snapshot snapshot{seq, {}};
  snapshot.payload.reserve(manifest->payload_bytes);
  std::string chunk_bytes;
  for (std::uint32_t chunk = 0; chunk < manifest->chunks; ++chunk) {
    status = db_->Get({}, key(seq, chunk), &chunk_bytes);
    if (status.IsNotFound()) return Status::corruption(name + ": missing chunk");
    if (!status.ok()) return from_rocksdb(status, name);
    snapshot.payload += chunk_bytes;
  }
  if (snapshot.payload.size() != manifest->payload_bytes) {
    return Status::corruption(name + ": wrong size");
  }
  if (sha256(snapshot.payload) != manifest->sha256) {
    return Status::corruption(name + ": checksum mismatch");
  }
  return snapshot;
}

Result<std::vector<Seq>> SnapshotStore::list() const {
  std::vector<Seq> seqs;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    if (k.size() != fmt::kKeyBytes) continue;
    if (decode_u32({k.data() + 8, 4}) != fmt::kManifestChunk) continue;
    seqs.push_back(Seq{decode_u64({k.data(), 8})});
  }
  if (!it->status().ok()) return from_rocksdb(it->status(), "snapshots: list");
  return seqs;
}

Result<std::optional<SnapshotStore::Snapshot>> SnapshotStore::load_newest(Report& report,
                                                                          Seq at_most) const {
  Result<std::vector<Seq>> seqs = list();
  if (!seqs.is_ok()) return seqs.status();
  for (auto it = seqs.value().rbegin(); it != seqs.value().rend(); ++it) {
    if (*it > at_most) continue;
    Result<Snapshot> snapshot = read(*it);
    if (snapshot.is_ok()) return std::optional<Snapshot>(std::move(snapshot).value());
    report.push_back(snapshot.status().message());
  }
  return std::optional<Snapshot>();
}

Status SnapshotStore::prune(std::size_t keep) {
  Result<std::vector<Seq>> seqs = list();
  if (!seqs.is_ok()) return seqs.status();
  if (seqs.value().size() <= keep) return Status::ok();
  const Seq first_kept = seqs.value()[seqs.value().size() - keep];
  rocksdb::WriteBatch batch;
  VERIFY(batch.DeleteRange(key(Seq{0}, 0), key(first_kept, 0)).ok(), "batch delete");
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  return from_rocksdb(db_->Write(write_options, &batch), "snapshots: prune");
}

}  // namespace turno
