// The on-disk layout of a snapshot store: one RocksDB database per owner (the write model,
// each view), in the owner's own directory.
//
//   key: 'c' (1) || seq, 8 bytes BE || chunk index, 4 bytes BE   value: payload chunk bytes,
//                                                                 at most kChunkBytes
//   key: 'm' (1) || seq, 8 bytes BE                               value: manifest, 60 bytes:
//        magic "TSNP" (4) | format 2 (4, BE) | seq (8, BE) | payload bytes (8, BE) |
//        chunk count (4, BE) | SHA-256 of the payload (32)
//
// Manifests and chunks live under different prefixes so that listing snapshots walks the small
// manifests only: an iterator that lands on a chunk reads the chunk (from a blob file).
//
// A snapshot is written in one WriteBatch (all chunks and the manifest, or nothing), without
// the WAL, then flushed: synced table and blob files, installed by one MANIFEST edit.
// It is trusted only if its manifest parses, names its own seq, counts exactly the chunks its
// size needs, and those chunks are all present, of the right sizes, and hash to its SHA-256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace turno::snapshot_format {

inline constexpr std::string_view kMagic = "TSNP";
// Format 1 (never released) interleaved manifests with chunks under one key space.
inline constexpr std::uint32_t kFormatVersion = 2;
inline constexpr char kChunkPrefix = 'c';
inline constexpr char kManifestPrefix = 'm';
inline constexpr std::size_t kChunkKeyBytes = 1 + 8 + 4;
inline constexpr std::size_t kManifestKeyBytes = 1 + 8;
inline constexpr std::size_t kManifestBytes = 4 + 4 + 8 + 8 + 4 + 32;
inline constexpr std::size_t kChunkBytes = 4u << 20;  // 4 MiB per value
// A manifest that claims more than this is damaged: no owner's state comes near it.
inline constexpr std::uint64_t kPayloadBytesMax = std::uint64_t{64} << 30;  // 64 GiB

}  // namespace turno::snapshot_format
