// A RocksDB FileSystem that can lose power: it remembers what was made durable and, after a
// cut, throws away everything that was not, as a disk does when the power goes.
//
// What counts as durable (the POSIX rules RocksDB itself is written against):
//   - a file's bytes up to the size it had at its last Sync/Fsync;
//   - a file's creation (and a rename) once its directory was fsynced afterwards.
// RangeSync (sync_file_range) is not counted: it does not make the file's size durable.
// A deletion is taken as durable at once: a deleted file coming back after a cut is a weaker
// fault (RocksDB ignores obsolete files), and keeping the bytes of every deleted file would
// cost memory. RocksDB's info log (LOG, LOG.old.*) is not data and is not tracked.
//
// Use: cut_power() at any moment — every later write, sync, create, rename or delete fails
// with an I/O error, at once, on every thread, so nothing can be made durable any more; then
// tear down whatever uses the files (the DB's close cannot sync them); then restore_power(),
// which truncates each file to its synced size (or, with TornTail::kRandomPrefix, keeps a
// random part of the unsynced bytes, as a torn write does), removes the files whose creation
// was not made durable, undoes renames that were not, and lets writes through again.
//
// For simulations: fault triggers count the write operations (appends, syncs, creations,
// renames; not deletions, which RocksDB does in the background) on files whose name ends with
// the configured suffix
// (default ".log", the WAL: the only files written on the committing thread, so a seeded run
// counts the same operations every time) and cut the power at, or fail, the n-th one.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace turno::testing {

enum class TornTail {
  kDrop,          // every unsynced byte is lost
  kRandomPrefix,  // a random prefix of each file's unsynced bytes survives (a torn write)
};

struct PowerCutStats {
  std::uint64_t syncs = 0;  // file syncs that made bytes durable
  std::uint64_t directory_syncs = 0;
  std::uint64_t power_cuts = 0;
  std::uint64_t writes_failed = 0;  // injected failures and writes refused without power
  std::uint64_t bytes_dropped = 0;  // unsynced bytes thrown away by restore_power()
  std::uint64_t files_removed = 0;  // files whose creation was not durable
  std::uint64_t renames_undone = 0;
};

class PowerCutFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit PowerCutFs(std::shared_ptr<rocksdb::FileSystem> base, std::uint64_t seed = 1);

  static const char* kClassName() { return "TurnoPowerCutFs"; }
  const char* Name() const override { return kClassName(); }

  // The power goes off now. Idempotent.
  void cut_power();
  bool powered() const;
  // Drops what was not durable (see the header comment), then power comes back. Call only
  // when nothing uses the files any more. Returns false if the base file system refused a
  // truncation, removal or rename (the state on disk is then not what a cut leaves).
  [[nodiscard]] bool restore_power(TornTail torn = TornTail::kDrop);

  // Fault triggers, counted over write operations on files ending in `counted_suffix`
  // (see above). 0 disarms. The n-th operation from now cuts the power (and fails) ...
  void cut_power_at_write(std::uint64_t n);
  // ... or fails with an I/O error; a failed append first writes a random prefix of its
  // bytes (a torn write).
  void fail_write(std::uint64_t n);
  void set_counted_suffix(std::string suffix);
  std::uint64_t counted_writes() const;

  PowerCutStats stats() const;

  // rocksdb::FileSystem
  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& path, const std::string& old_path,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                    rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus NewDirectory(const std::string& path, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus DeleteFile(const std::string& path, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus Truncate(const std::string& path, std::size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override;

 private:
  friend class PowerCutFile;
  friend class PowerCutDirectory;

  struct FileState {
    std::uint64_t size = 0;         // bytes written so far
    std::uint64_t synced_size = 0;  // bytes durable
  };
  struct PendingRename {
    std::string from;
    std::string to;
    std::optional<std::string> overwritten;  // `to`'s bytes before, when it existed
  };

  // Each returns an error when the operation must not happen (no power, or an injected
  // fault) and counts it against the triggers. With `mutex_` held.
  rocksdb::IOStatus admit_write(const std::string& path, bool countable = true);
  // The file's hooks.
  rocksdb::IOStatus on_append(const std::string& path, std::uint64_t bytes,
                              std::uint64_t& torn_bytes);
  rocksdb::IOStatus on_positioned_append(const std::string& path, std::uint64_t end);
  rocksdb::IOStatus before_sync(const std::string& path);
  rocksdb::IOStatus after_sync(const std::string& path, std::uint64_t size_at_sync);
  std::uint64_t size_of(const std::string& path);
  void on_truncate(const std::string& path, std::uint64_t size);
  rocksdb::IOStatus on_directory_sync(const std::string& directory);
  rocksdb::IOStatus track_new_file(const std::string& path, std::uint64_t existing_size,
                                   bool created);
  bool counted(const std::string& path) const;

  bool drop_unsynced_bytes(TornTail torn);
  bool undo_pending_renames();
  bool remove_unsynced_creations();

  mutable std::mutex mutex_;
  bool powered_ = true;
  std::map<std::string, FileState> files_;
  std::set<std::string> unsynced_creations_;
  std::vector<PendingRename> pending_renames_;
  std::string counted_suffix_ = ".log";
  std::uint64_t counted_writes_ = 0;
  std::uint64_t cut_at_write_ = 0;  // absolute count; 0: none
  std::uint64_t fail_at_write_ = 0;
  std::mt19937_64 random_;
  PowerCutStats stats_;
};

// An Env whose files live on `fs` (threads and clock from the default Env), for LogOptions::env.
std::shared_ptr<rocksdb::Env> env_on(const std::shared_ptr<PowerCutFs>& fs);

// A PowerCutFs over the real disk, or over a fresh in-memory file system (fast, for
// simulations; its files vanish with it).
std::shared_ptr<PowerCutFs> power_cut_fs_on_disk(std::uint64_t seed = 1);
std::shared_ptr<PowerCutFs> power_cut_fs_in_memory(std::uint64_t seed = 1);

}  // namespace turno::testing
