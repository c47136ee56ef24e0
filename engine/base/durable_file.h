// Small files that must survive a power cut whole or not at all.
#pragma once

#include <string>
#include <string_view>

#include "status.h"

namespace turno {

// fsync of a file or a directory, so its contents, or a rename or creation inside it, survive
// power loss.
[[nodiscard]] Status sync_path(const std::string& path);

// Replaces `path` with `bytes` atomically: written to `path`.tmp, fsynced, renamed over `path`,
// and the directory fsynced. A reader sees the old file or the new one, never a mix.
[[nodiscard]] Status write_file_durably(const std::string& path, std::string_view bytes);

}  // namespace turno
