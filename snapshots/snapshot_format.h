// The on-disk layout of a snapshot store: one RocksDB database per owner (the write model,
// each view), in the owner's own directory.
//
//   key: seq, 8 bytes big-endian || chunk, 4 bytes big-endian    value: payload chunk bytes
//   key: seq, 8 bytes big-endian || 0xFFFFFFFF                   value: manifest, 60 bytes:
//        magic "TSNP" (4) | format 1 (4, BE) | seq (8, BE) | payload bytes (8, BE) |
//        chunk count (4, BE) | SHA-256 of the payload (32)
//
// A snapshot is written in one synced WriteBatch (all chunks and the manifest, or nothing).
// It is trusted only if its manifest parses, names its own seq, and the chunks it counts are
// all present and hash to its SHA-256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace turno::snapshot_format {

inline constexpr std::string_view kMagic = "TSNP";
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::uint32_t kManifestChunk = 0xFFFFFFFF;
inline constexpr std::size_t kKeyBytes = 12;
inline constexpr std::size_t kManifestBytes = 4 + 4 + 8 + 8 + 4 + 32;
inline constexpr std::size_t kChunkBytes = 4u << 20;  // 4 MiB per value

}  // namespace turno::snapshot_format
