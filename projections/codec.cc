#include "codec.h"

#include <limits>

namespace turno::projections {

void Encoder::u64(std::uint64_t value) {
  while (value >= 0x80) {
    bytes_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  bytes_.push_back(static_cast<char>(value));
}

void Encoder::i64(std::int64_t value) {
  const auto bits = static_cast<std::uint64_t>(value);
  u64((bits << 1) ^ (value < 0 ? ~std::uint64_t{0} : 0));
}

void Encoder::str(std::string_view value) {
  u64(value.size());
  bytes_.append(value);
}

std::uint64_t Decoder::u64() {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (failed_ || position_ >= bytes_.size()) break;
    const auto byte = static_cast<unsigned char>(bytes_[position_++]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  failed_ = true;
  return 0;
}

std::int64_t Decoder::i64() {
  const std::uint64_t bits = u64();
  return static_cast<std::int64_t>((bits >> 1) ^ (~(bits & 1) + 1));
}

std::int32_t Decoder::i32() {
  const std::int64_t value = i64();
  if (value < std::numeric_limits<std::int32_t>::min() ||
      value > std::numeric_limits<std::int32_t>::max()) {
    failed_ = true;
    return 0;
  }
  return static_cast<std::int32_t>(value);
}

std::string Decoder::str() {
  const std::uint64_t size = u64();
  if (failed_ || size > bytes_.size() - position_) {
    failed_ = true;
    return {};
  }
  std::string out(bytes_.substr(position_, size));
  position_ += size;
  return out;
}

std::size_t Decoder::count() {
  const std::uint64_t value = u64();
  if (failed_ || value > bytes_.size() - position_) {
    failed_ = true;
    return 0;
  }
  return static_cast<std::size_t>(value);
}

}  // namespace turno::projections
