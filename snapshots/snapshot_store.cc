#include "snapshot_store.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "big_endian.h"
#include "durable_rocksdb.h"
#include "sha256.h"
#include "snapshot_format.h"
#include "verify.h"

namespace turno {
namespace {

namespace fmt = snapshot_format;

using big_endian::append_u32;
using big_endian::append_u64;

std::string chunk_key(Seq seq, std::uint32_t chunk) {
  std::string out(1, fmt::kChunkPrefix);
  append_u64(out, seq.value);
  append_u32(out, chunk);
  return out;
}

std::string manifest_key(Seq seq) {
  std::string out(1, fmt::kManifestPrefix);
  append_u64(out, seq.value);
  return out;
}

std::uint32_t chunks_for(std::uint64_t payload_bytes) {
  return static_cast<std::uint32_t>((payload_bytes + fmt::kChunkBytes - 1) / fmt::kChunkBytes);
}

struct Manifest {
  Seq seq;
  std::uint64_t payload_bytes = 0;
  std::uint32_t chunks = 0;
  Hash sha256{};
};

std::string encode_manifest(const Manifest& manifest) {
  std::string out(fmt::kMagic);
  append_u32(out, fmt::kFormatVersion);
  append_u64(out, manifest.seq.value);
  append_u64(out, manifest.payload_bytes);
  append_u32(out, manifest.chunks);
  out += as_bytes(manifest.sha256);
  return out;
}

// A manifest that parses and is consistent with itself; nullopt for anything else.
std::optional<Manifest> decode_manifest(std::string_view bytes) {
  if (bytes.size() != fmt::kManifestBytes || bytes.substr(0, 4) != fmt::kMagic ||
      big_endian::read_u32(bytes.substr(4)) != fmt::kFormatVersion) {
    return std::nullopt;
  }
  Manifest manifest;
  manifest.seq = Seq{big_endian::read_u64(bytes.substr(8))};
  manifest.payload_bytes = big_endian::read_u64(bytes.substr(16));
  manifest.chunks = big_endian::read_u32(bytes.substr(24));
  std::copy_n(bytes.data() + 28, 32, manifest.sha256.begin());
  if (manifest.payload_bytes > fmt::kPayloadBytesMax ||
      manifest.chunks != chunks_for(manifest.payload_bytes)) {
    return std::nullopt;
  }
  return manifest;
}

rocksdb::ReadOptions checked_reads() {
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  return options;
}

}  // namespace

SnapshotStore::~SnapshotStore() {
  if (!db_) return;
  if (!options_.read_only) flush_before_close(*db_).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

Result<std::unique_ptr<SnapshotStore>> SnapshotStore::open_derived(
    const std::string& directory, SnapshotStoreOptions options,
    std::vector<std::string>& warnings) {
  VERIFY(!options.read_only, "a derived store is rebuilt, so it is opened writable");
  Result<std::unique_ptr<SnapshotStore>> store = open(directory, options);
  Status damage = store.is_ok() ? store.value()->list().status() : store.status();
  if (damage.is_ok()) return store;
  // Held by another process (RocksDB's LOCK): in use, not damaged.
  if (damage.message().find("lock file") != std::string::npos) return damage;
  if (store.is_ok()) store.value().reset();  // closed before it is moved
  std::error_code error;
  std::string aside;
  for (int n = 1; aside.empty() || std::filesystem::exists(aside, error); ++n) {
    aside = directory + ".damaged-" + std::to_string(n);
  }
  std::filesystem::rename(directory, aside, error);
  if (error) {
    return Status::io_error("snapshots: " + directory + " is damaged (" + damage.message() +
                            ") and could not be moved aside: " + error.message());
  }
  warnings.push_back("store " + directory + " was damaged (" + damage.message() + "): moved to " +
                     aside + "; rebuilding it from the log");
  std::fprintf(stderr,
               "{\"msg\":\"damaged derived store moved aside, rebuilding\","
               "\"store\":\"%s\",\"moved_to\":\"%s\"}\n",
               directory.c_str(), aside.c_str());
  return open(directory, options);
}

Result<std::unique_ptr<SnapshotStore>> SnapshotStore::open(const std::string& directory,
                                                           SnapshotStoreOptions options) {
  rocksdb::Options db_options;
  make_durable(db_options);
  db_options.create_if_missing = !options.read_only;
  // Snapshots are large values: keep them in blob files, out of the LSM tree, so compactions
  // move keys only. Each flush writes its own blob files, which are deleted once no table
  // refers to them any more (after prune's compaction).
  db_options.enable_blob_files = true;
  db_options.min_blob_size = 64 * 1024;
  db_options.write_buffer_size = 64u << 20;
  db_options.max_background_jobs = 1;
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
  if (payload.size() > fmt::kPayloadBytesMax) {
    return Status::invalid_argument("snapshots: payload larger than the format allows");
  }
  Manifest manifest;
  manifest.seq = seq;
  manifest.payload_bytes = payload.size();
  manifest.chunks = chunks_for(payload.size());
  manifest.sha256 = sha256(payload);
  rocksdb::WriteBatch batch;
  // Clear whatever an earlier snapshot at this seq left (it may have had more chunks).
  VERIFY(batch.DeleteRange(chunk_key(seq, 0), chunk_key(seq.next(), 0)).ok(), "batch delete");
  for (std::uint32_t chunk = 0; chunk < manifest.chunks; ++chunk) {
    const std::size_t offset = static_cast<std::size_t>(chunk) * fmt::kChunkBytes;
    VERIFY(batch.Put(chunk_key(seq, chunk), payload.substr(offset, fmt::kChunkBytes)).ok(),
           "batch put");
  }
  VERIFY(batch.Put(manifest_key(seq), encode_manifest(manifest)).ok(), "batch put");
  // Not through the WAL: the flush below writes the payload once, into synced table and blob
  // files installed by one MANIFEST edit, and leaves no WAL for the next open to replay.
  rocksdb::WriteOptions write_options;
  write_options.disableWAL = true;
  if (Status status = from_rocksdb(db_->Write(write_options, &batch), "snapshots: write");
      !status.is_ok() || !options_.sync) {
    return status;  // without sync: made durable by the flush at close
  }
  rocksdb::FlushOptions flush;
  flush.wait = true;
  return from_rocksdb(db_->Flush(flush), "snapshots: flush");
}

Result<SnapshotStore::Snapshot> SnapshotStore::read(Seq seq) const {
  const std::string name = "snapshot at seq " + std::to_string(seq.value);
  std::string manifest_bytes;
  rocksdb::Status status = db_->Get(checked_reads(), manifest_key(seq), &manifest_bytes);
  if (!status.ok()) return from_rocksdb(status, name);
  const std::optional<Manifest> manifest = decode_manifest(manifest_bytes);
  if (!manifest || manifest->seq != seq) return Status::corruption(name + ": bad manifest");
  Snapshot snapshot{seq, {}};
  snapshot.payload.reserve(manifest->payload_bytes);
  rocksdb::PinnableSlice chunk_bytes;
  for (std::uint32_t chunk = 0; chunk < manifest->chunks; ++chunk) {
    chunk_bytes.Reset();
    status =
        db_->Get(checked_reads(), db_->DefaultColumnFamily(), chunk_key(seq, chunk), &chunk_bytes);
    if (status.IsNotFound()) return Status::corruption(name + ": missing chunk");
    if (!status.ok()) return from_rocksdb(status, name);
    const bool last = chunk + 1 == manifest->chunks;
    if (!last && chunk_bytes.size() != fmt::kChunkBytes) {
      return Status::corruption(name + ": short chunk " + std::to_string(chunk));
    }
    snapshot.payload.append(chunk_bytes.data(), chunk_bytes.size());
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
  const std::string first = manifest_key(Seq{0});
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(checked_reads()));
  for (it->Seek(first); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.empty() || key[0] != fmt::kManifestPrefix) break;
    if (key.size() != fmt::kManifestKeyBytes) continue;  // not ours; never written
    seqs.push_back(Seq{big_endian::read_u64({key.data() + 1, 8})});
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
  if (options_.read_only) return Status::invalid_argument("snapshots: store is read-only");
  Result<std::vector<Seq>> seqs = list();
  if (!seqs.is_ok()) return seqs.status();
  const std::vector<Seq>& all = seqs.value();
  if (all.size() <= keep) return Status::ok();
  if (keep == 0) return delete_below(std::nullopt);
  return delete_below(all[all.size() - keep]);
}

Status SnapshotStore::delete_below(std::optional<Seq> first_kept) {
  // Without a first kept seq, the ranges end where the next prefix begins: everything goes.
  const std::string chunks_begin(1, fmt::kChunkPrefix);
  const std::string chunks_end =
      first_kept ? chunk_key(*first_kept, 0) : std::string(1, fmt::kChunkPrefix + 1);
  const std::string manifests_begin(1, fmt::kManifestPrefix);
  const std::string manifests_end =
      first_kept ? manifest_key(*first_kept) : std::string(1, fmt::kManifestPrefix + 1);
  rocksdb::WriteBatch batch;
  VERIFY(batch.DeleteRange(chunks_begin, chunks_end).ok(), "batch delete");
  VERIFY(batch.DeleteRange(manifests_begin, manifests_end).ok(), "batch delete");
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  if (Status status = from_rocksdb(db_->Write(write_options, &batch), "snapshots: prune");
      !status.is_ok()) {
    return status;
  }
  // Range tombstones hide the data; only a compaction through them gives the space back
  // (tables, and the blob files no table refers to any more).
  const rocksdb::Slice begin(chunks_begin);
  const rocksdb::Slice end(manifests_end);
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return from_rocksdb(db_->CompactRange(compact, &begin, &end), "snapshots: compact");
}

}  // namespace turno
