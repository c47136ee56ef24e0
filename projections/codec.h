// The byte format of view state (snapshots, digests): a flat sequence of fields, no tags.
//
//   unsigned integer   LEB128 varint, 1..10 bytes
//   signed integer     zigzag, then varint
//   bool               one varint, 0 or 1
//   string             varint byte count, then the bytes
//
// Each view writes its fields in a fixed order, maps sorted by key, so equal states give equal
// bytes and the digest (SHA-256 of the bytes) compares states. A Decoder never reads past its
// input: a short or malformed input sets failed() and yields zeros and empty strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace turno::projections {

class Encoder {
 public:
  void u64(std::uint64_t value);
  void i64(std::int64_t value);
  void boolean(bool value) { u64(value ? 1 : 0); }
  void str(std::string_view value);
  // The bytes written so far.
  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t u64();
  std::int64_t i64();
  std::int32_t i32();
  bool boolean() { return u64() != 0; }
  std::string str();
  // A count of items that follow, each at least one byte: larger than the bytes left means a
  // malformed input (failed() and 0), so a corrupt count never allocates without bound.
  std::size_t count();
  bool failed() const { return failed_; }
  // Marks the input malformed for a reason the caller found (a value out of its range).
  void fail() { failed_ = true; }
  bool at_end() const { return position_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t position_ = 0;
  bool failed_ = false;
};

}  // namespace turno::projections
