#include "power_cut_fs.h"

#include <algorithm>

namespace turno::testing {
namespace {

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// RocksDB's info log: diagnostics, not data.
bool is_info_log(const std::string& path) {
  const std::string name = path.substr(path.rfind('/') + 1);
  return name == "LOG" || name.rfind("LOG.old", 0) == 0;
}

rocksdb::IOStatus no_power() {
  return rocksdb::IOStatus::IOError("power cut (PowerCutFs)");
}

}  // namespace

// A writable file that reports every append and sync to its PowerCutFs.
class PowerCutFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  PowerCutFile(PowerCutFs& fs, std::string path, std::unique_ptr<rocksdb::FSWritableFile> file)
      : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), path_(std::move(path)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    std::uint64_t torn_bytes = 0;
    rocksdb::IOStatus admitted = fs_.on_append(path_, data.size(), torn_bytes);
    if (!admitted.ok()) {
      if (torn_bytes > 0) {
        target()
            ->Append(rocksdb::Slice(data.data(), torn_bytes), options, debug)
            .PermitUncheckedError();
      }
      return admitted;
    }
    return target()->Append(data, options, debug);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& /*verification*/,
                           rocksdb::IODebugContext* debug) override {
    return Append(data, options, debug);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus admitted = fs_.on_positioned_append(path_, offset + data.size());
    if (!admitted.ok()) return admitted;
    return target()->PositionedAppend(data, offset, options, debug);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& /*verification*/,
                                     rocksdb::IODebugContext* debug) override {
    return PositionedAppend(data, offset, options, debug);
  }
  rocksdb::IOStatus Truncate(std::uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->Truncate(size, options, debug);
    if (status.ok()) fs_.on_truncate(path_, size);
    return status;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* debug) override {
    return synced(options, debug, /*full=*/false);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    return synced(options, debug, /*full=*/true);
  }
  // sync_file_range: not durable (no metadata), so forwarded without counting, and only
  // while there is power.
  rocksdb::IOStatus RangeSync(std::uint64_t offset, std::uint64_t bytes,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* debug) override {
    if (!fs_.powered()) return no_power();
    return target()->RangeSync(offset, bytes, options, debug);
  }

 private:
  rocksdb::IOStatus synced(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug,
                           bool full) {
    rocksdb::IOStatus admitted = fs_.before_sync(path_);
    if (!admitted.ok()) return admitted;
    const std::uint64_t size = fs_.size_of(path_);
    rocksdb::IOStatus status =
        full ? target()->Fsync(options, debug) : target()->Sync(options, debug);
    if (!status.ok()) return status;
    // Durable only if the power was still on when the sync returned.
    return fs_.after_sync(path_, size);
  }

  PowerCutFs& fs_;
  std::string path_;
};

// A directory whose fsync makes the creations and renames inside it durable.
class PowerCutDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  PowerCutDirectory(PowerCutFs& fs, std::string path, std::unique_ptr<rocksdb::FSDirectory> dir)
      : FSDirectoryWrapper(std::move(dir)), fs_(fs), path_(std::move(path)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    if (!fs_.powered()) return no_power();
    rocksdb::IOStatus status = FSDirectoryWrapper::Fsync(options, debug);
    return status.ok() ? fs_.on_directory_sync(path_) : status;
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* debug,
                                        const rocksdb::DirFsyncOptions& /*why*/) override {
    return Fsync(options, debug);
  }

 private:
  PowerCutFs& fs_;
  std::string path_;
};

PowerCutFs::PowerCutFs(std::shared_ptr<rocksdb::FileSystem> base, std::uint64_t seed)
    : FileSystemWrapper(std::move(base)), random_(seed) {}

// ------------------------------------------------------------------------- power and faults

void PowerCutFs::cut_power() {
  std::lock_guard lock(mutex_);
  if (powered_) ++stats_.power_cuts;
  powered_ = false;
}

bool PowerCutFs::powered() const {
  std::lock_guard lock(mutex_);
  return powered_;
}

bool PowerCutFs::restore_power(TornTail torn) {
  std::lock_guard lock(mutex_);
  bool ok = drop_unsynced_bytes(torn);
  ok = undo_pending_renames() && ok;
  ok = remove_unsynced_creations() && ok;
  files_.clear();  // what is left is durable as it stands
  powered_ = true;
  return ok;
}

void PowerCutFs::cut_power_at_write(std::uint64_t n) {
  std::lock_guard lock(mutex_);
  cut_at_write_ = n == 0 ? 0 : counted_writes_ + n;
}

void PowerCutFs::fail_write(std::uint64_t n) {
  std::lock_guard lock(mutex_);
  fail_at_write_ = n == 0 ? 0 : counted_writes_ + n;
}

void PowerCutFs::set_counted_suffix(std::string suffix) {
  std::lock_guard lock(mutex_);
  counted_suffix_ = std::move(suffix);
}

std::uint64_t PowerCutFs::counted_writes() const {
  std::lock_guard lock(mutex_);
  return counted_writes_;
}

PowerCutStats PowerCutFs::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

bool PowerCutFs::counted(const std::string& path) const {
  return path.size() >= counted_suffix_.size() &&
         path.compare(path.size() - counted_suffix_.size(), counted_suffix_.size(),
                      counted_suffix_) == 0;
}

rocksdb::IOStatus PowerCutFs::admit_write(const std::string& path, bool countable) {
  if (!powered_) {
    ++stats_.writes_failed;
    return no_power();
  }
  if (!countable || !counted(path)) return rocksdb::IOStatus::OK();
  ++counted_writes_;
  if (counted_writes_ == cut_at_write_) {
    cut_at_write_ = 0;
    powered_ = false;
    ++stats_.power_cuts;
    ++stats_.writes_failed;
    return no_power();
  }
  if (counted_writes_ == fail_at_write_) {
    fail_at_write_ = 0;
    ++stats_.writes_failed;
    return rocksdb::IOStatus::IOError("injected write failure (PowerCutFs)");
  }
  return rocksdb::IOStatus::OK();
}

// ------------------------------------------------------------------------------ file hooks

rocksdb::IOStatus PowerCutFs::on_append(const std::string& path, std::uint64_t bytes,
                                        std::uint64_t& torn_bytes) {
  std::lock_guard lock(mutex_);
  rocksdb::IOStatus admitted = admit_write(path);
  torn_bytes = 0;
  if (!admitted.ok()) {
    // An injected failure (power still on) may leave part of the write behind.
    if (powered_ && bytes > 0) {
      torn_bytes = std::uniform_int_distribution<std::uint64_t>(0, bytes - 1)(random_);
      if (auto it = files_.find(path); it != files_.end()) it->second.size += torn_bytes;
    }
    return admitted;
  }
  if (auto it = files_.find(path); it != files_.end()) it->second.size += bytes;
  return admitted;
}

rocksdb::IOStatus PowerCutFs::on_positioned_append(const std::string& path, std::uint64_t end) {
  std::lock_guard lock(mutex_);
  rocksdb::IOStatus admitted = admit_write(path);
  if (!admitted.ok()) return admitted;
  if (auto it = files_.find(path); it != files_.end()) {
    it->second.size = std::max(it->second.size, end);
  }
  return admitted;
}

rocksdb::IOStatus PowerCutFs::before_sync(const std::string& path) {
  std::lock_guard lock(mutex_);
  return admit_write(path);
}

rocksdb::IOStatus PowerCutFs::after_sync(const std::string& path, std::uint64_t size_at_sync) {
  std::lock_guard lock(mutex_);
  if (!powered_) {
    ++stats_.writes_failed;
    return no_power();
  }
  if (auto it = files_.find(path); it != files_.end()) {
    it->second.synced_size = std::max(it->second.synced_size, size_at_sync);
  }
  ++stats_.syncs;
  return rocksdb::IOStatus::OK();
}

std::uint64_t PowerCutFs::size_of(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second.size;
}

void PowerCutFs::on_truncate(const std::string& path, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  if (auto it = files_.find(path); it != files_.end()) {
    it->second.size = size;
    it->second.synced_size = std::min(it->second.synced_size, size);
  }
}

rocksdb::IOStatus PowerCutFs::on_directory_sync(const std::string& directory) {
  std::lock_guard lock(mutex_);
  if (!powered_) return no_power();
  ++stats_.directory_syncs;
  std::erase_if(unsynced_creations_,
                [&](const std::string& path) { return parent_of(path) == directory; });
  std::erase_if(pending_renames_,
                [&](const PendingRename& rename) { return parent_of(rename.to) == directory; });
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus PowerCutFs::track_new_file(const std::string& path, std::uint64_t existing_size,
                                             bool created) {
  std::lock_guard lock(mutex_);
  rocksdb::IOStatus admitted = admit_write(path);
  if (!admitted.ok()) return admitted;
  if (is_info_log(path)) return admitted;
  files_[path] = FileState{existing_size, existing_size};
  if (created) unsynced_creations_.insert(path);
  return admitted;
}

// --------------------------------------------------------------------------- file system

rocksdb::IOStatus PowerCutFs::NewWritableFile(const std::string& path,
                                              const rocksdb::FileOptions& options,
                                              std::unique_ptr<rocksdb::FSWritableFile>* result,
                                              rocksdb::IODebugContext* debug) {
  bool existed = target()->FileExists(path, rocksdb::IOOptions(), debug).ok();
  if (rocksdb::IOStatus admitted = track_new_file(path, 0, !existed); !admitted.ok()) {
    return admitted;
  }
  if (existed) {
    // Truncated to nothing: what it held is gone, durably or not (taken as durable).
    std::lock_guard lock(mutex_);
    files_[path] = FileState{};
  }
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus status = target()->NewWritableFile(path, options, &file, debug);
  if (!status.ok()) return status;
  result->reset(new PowerCutFile(*this, path, std::move(file)));
  return status;
}

rocksdb::IOStatus PowerCutFs::ReopenWritableFile(const std::string& path,
                                                 const rocksdb::FileOptions& options,
                                                 std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                 rocksdb::IODebugContext* debug) {
  std::uint64_t size = 0;
  const bool existed = target()->GetFileSize(path, rocksdb::IOOptions(), &size, debug).ok();
  // An already tracked file keeps its state; another one starts durable at its size.
  bool tracked = false;
  {
    std::lock_guard lock(mutex_);
    tracked = files_.contains(path);
  }
  if (!tracked) {
    if (rocksdb::IOStatus admitted = track_new_file(path, existed ? size : 0, !existed);
        !admitted.ok()) {
      return admitted;
    }
  }
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus status = target()->ReopenWritableFile(path, options, &file, debug);
  if (!status.ok()) return status;
  result->reset(new PowerCutFile(*this, path, std::move(file)));
  return status;
}

rocksdb::IOStatus PowerCutFs::ReuseWritableFile(const std::string& path,
                                                const std::string& old_path,
                                                const rocksdb::FileOptions& options,
                                                std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                rocksdb::IODebugContext* debug) {
  // A rename and a rewrite from the start: do it as such, so both are tracked.
  rocksdb::IOStatus status = RenameFile(old_path, path, rocksdb::IOOptions(), debug);
  if (!status.ok()) return status;
  return NewWritableFile(path, options, result, debug);
}

rocksdb::IOStatus PowerCutFs::NewRandomRWFile(const std::string& /*path*/,
                                              const rocksdb::FileOptions& /*options*/,
                                              std::unique_ptr<rocksdb::FSRandomRWFile>* /*r*/,
                                              rocksdb::IODebugContext* /*debug*/) {
  // Not used by the event log; refused so that nothing writes past the tracking.
  return rocksdb::IOStatus::NotSupported("PowerCutFs: random read-write files");
}

rocksdb::IOStatus PowerCutFs::NewDirectory(const std::string& path,
                                           const rocksdb::IOOptions& options,
                                           std::unique_ptr<rocksdb::FSDirectory>* result,
                                           rocksdb::IODebugContext* debug) {
  std::unique_ptr<rocksdb::FSDirectory> directory;
  rocksdb::IOStatus status = target()->NewDirectory(path, options, &directory, debug);
  if (!status.ok()) return status;
  result->reset(new PowerCutDirectory(*this, without_trailing_slash(path), std::move(directory)));
  return status;
}

rocksdb::IOStatus PowerCutFs::DeleteFile(const std::string& path, const rocksdb::IOOptions& options,
                                         rocksdb::IODebugContext* debug) {
  {
    // Not counted: RocksDB deletes obsolete files from background threads, at moments a
    // seeded run cannot reproduce.
    std::lock_guard lock(mutex_);
    if (rocksdb::IOStatus admitted = admit_write(path, /*countable=*/false); !admitted.ok()) {
      return admitted;
    }
  }
  rocksdb::IOStatus status = target()->DeleteFile(path, options, debug);
  if (status.ok()) {
    std::lock_guard lock(mutex_);
    files_.erase(path);
    unsynced_creations_.erase(path);
  }
  return status;
}

rocksdb::IOStatus PowerCutFs::RenameFile(const std::string& from, const std::string& to,
                                         const rocksdb::IOOptions& options,
                                         rocksdb::IODebugContext* debug) {
  {
    std::lock_guard lock(mutex_);
    if (rocksdb::IOStatus admitted = admit_write(to); !admitted.ok()) return admitted;
  }
  PendingRename rename{from, to, std::nullopt};
  if (!is_info_log(to) && target()->FileExists(to, options, debug).ok()) {
    std::string bytes;
    if (rocksdb::ReadFileToString(target(), to, &bytes).ok()) rename.overwritten = bytes;
  }
  rocksdb::IOStatus status = target()->RenameFile(from, to, options, debug);
  if (!status.ok() || is_info_log(to)) return status;
  std::lock_guard lock(mutex_);
  if (auto it = files_.find(from); it != files_.end()) {
    files_[to] = it->second;
    files_.erase(from);
  } else {
    files_.erase(to);
  }
  if (unsynced_creations_.erase(from) > 0) unsynced_creations_.insert(to);
  pending_renames_.push_back(std::move(rename));
  return status;
}

rocksdb::IOStatus PowerCutFs::LinkFile(const std::string& from, const std::string& to,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* debug) {
  {
    std::lock_guard lock(mutex_);
    if (rocksdb::IOStatus admitted = admit_write(to); !admitted.ok()) return admitted;
  }
  rocksdb::IOStatus status = target()->LinkFile(from, to, options, debug);
  if (status.ok()) {
    std::lock_guard lock(mutex_);
    unsynced_creations_.insert(to);
  }
  return status;
}

rocksdb::IOStatus PowerCutFs::Truncate(const std::string& path, std::size_t size,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* debug) {
  {
    std::lock_guard lock(mutex_);
    if (rocksdb::IOStatus admitted = admit_write(path); !admitted.ok()) return admitted;
  }
  rocksdb::IOStatus status = target()->Truncate(path, size, options, debug);
  if (status.ok()) on_truncate(path, size);
  return status;
}

// ------------------------------------------------------------------------ restoring power

bool PowerCutFs::drop_unsynced_bytes(TornTail torn) {
  bool ok = true;
  for (const auto& [path, state] : files_) {
    if (state.size <= state.synced_size || unsynced_creations_.contains(path)) continue;
    std::uint64_t keep = state.synced_size;
    if (torn == TornTail::kRandomPrefix) {
      keep +=
          std::uniform_int_distribution<std::uint64_t>(0, state.size - state.synced_size)(random_);
    }
    std::uint64_t actual = 0;
    if (!target()->GetFileSize(path, rocksdb::IOOptions(), &actual, nullptr).ok()) continue;
    if (actual <= keep) continue;
    stats_.bytes_dropped += actual - keep;
    rocksdb::IOStatus status = target()->Truncate(path, keep, rocksdb::IOOptions(), nullptr);
    if (status.IsNotSupported()) {
      // A file system without Truncate (some in-memory ones): rewrite the prefix.
      std::string bytes;
      status = rocksdb::ReadFileToString(target(), path, &bytes);
      if (status.ok()) {
        bytes.resize(keep);
        status = rocksdb::WriteStringToFile(target(), bytes, path, /*should_sync=*/true);
      }
    }
    ok = status.ok() && ok;
  }
  return ok;
}

bool PowerCutFs::undo_pending_renames() {
  bool ok = true;
  for (auto it = pending_renames_.rbegin(); it != pending_renames_.rend(); ++it) {
    rocksdb::IOStatus status =
        target()->RenameFile(it->to, it->from, rocksdb::IOOptions(), nullptr);
    if (status.ok() && unsynced_creations_.erase(it->to) > 0) {
      unsynced_creations_.insert(it->from);
    }
    if (it->overwritten) {
      status = rocksdb::WriteStringToFile(target(), *it->overwritten, it->to,
                                          /*should_sync=*/true);
      ok = status.ok() && ok;
    }
    ++stats_.renames_undone;
  }
  pending_renames_.clear();
  return ok;
}

bool PowerCutFs::remove_unsynced_creations() {
  bool ok = true;
  for (const std::string& path : unsynced_creations_) {
    rocksdb::IOStatus status = target()->DeleteFile(path, rocksdb::IOOptions(), nullptr);
    if (status.ok()) ++stats_.files_removed;
    ok = (status.ok() || status.IsNotFound() || status.IsPathNotFound()) && ok;
  }
  unsynced_creations_.clear();
  return ok;
}

// --------------------------------------------------------------------------------- factories

std::shared_ptr<rocksdb::Env> env_on(const std::shared_ptr<PowerCutFs>& fs) {
  return std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(fs).release());
}

std::shared_ptr<PowerCutFs> power_cut_fs_on_disk(std::uint64_t seed) {
  return std::make_shared<PowerCutFs>(rocksdb::FileSystem::Default(), seed);
}

std::shared_ptr<PowerCutFs> power_cut_fs_in_memory(std::uint64_t seed) {
  std::unique_ptr<rocksdb::Env> memory(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  return std::make_shared<PowerCutFs>(memory->GetFileSystem(), seed);
}

}  // namespace turno::testing
