#include "durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace turno {
namespace {

Status errno_status(std::string_view what, const std::string& path) {
  return Status::io_error(std::string(what) + " " + path + ": " + std::strerror(errno));
}

std::string directory_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace

Status sync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status("open to sync", path);
  const bool synced = ::fsync(fd) == 0;
  Status status = synced ? Status::ok() : errno_status("fsync", path);
  ::close(fd);
  return status;
}

Status write_file_durably(const std::string& path, std::string_view bytes) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("create", temporary);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status status = errno_status("write", temporary);
      ::close(fd);
      return status;
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  Status status = synced ? Status::ok() : errno_status("fsync", temporary);
  ::close(fd);
  if (!status.is_ok()) return status;
  if (std::rename(temporary.c_str(), path.c_str()) != 0) return errno_status("rename to", path);
  return sync_path(directory_of(path));
}

}  // namespace turno
