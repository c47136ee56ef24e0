// InternedId: an id string kept once per process, and 8-byte handles to it.
//
// Most of a booking's strings repeat across bookings (its tenant, site, staff member, service,
// client, currency, payment provider). A handle is a pointer to the one pooled, immutable copy
// of its text, so a record pays 8 bytes per such id instead of a std::string (32 bytes, plus a
// heap block past 15 characters), and comparing two handles for equality compares pointers.
// The write model's bookings (BookingState, engine/log/booking_state.h), its timers and
// finished set, and the views' booking table (projections/booking_table.h) hold them.
//
// The pool only grows, and only by distinct values: it is bounded by the catalog (tenants,
// sites, staff, services), the client base and the currencies and providers in use, never by
// the number of bookings. Do not intern what is unique per booking (booking, payment and refund
// ids, patients, free text): that would make the pool grow with history and never shrink.
//
// Interning takes the pool's lock (shared to find, exclusive to add), so any thread may intern;
// reading through a handle takes no lock: pooled strings never change or move.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace turno {

class InternedId {
 public:
  // The empty id.
  InternedId() = default;

  // The handle of `text`, adding it to the pool if it is new. Equal texts give equal handles.
  static InternedId of(std::string_view text);

  std::string_view view() const { return text_ == nullptr ? std::string_view() : *text_; }
  const std::string& str() const;
  bool empty() const { return text_ == nullptr; }
  operator std::string_view() const { return view(); }  // NOLINT: reads like the string it was

  // One pooled copy per text: equal handles are equal pointers.
  friend bool operator==(InternedId a, InternedId b) { return a.text_ == b.text_; }
  friend bool operator==(InternedId a, std::string_view b) { return a.view() == b; }
  // By content, as the std::string it replaces (so sorted output does not change).
  friend std::strong_ordering operator<=>(InternedId a, InternedId b) {
    return a.view() <=> b.view();
  }

  // The pool, for the memory bench: distinct texts, and the bytes they take (strings, their
  // heap blocks and the set's nodes, estimated).
  static std::size_t pool_size();
  static std::size_t pool_bytes();

 private:
  explicit InternedId(const std::string* text) : text_(text) {}
  const std::string* text_ = nullptr;  // null: the empty id (never pooled)
};

}  // namespace turno

template <>
struct std::hash<turno::InternedId> {
  std::size_t operator()(turno::InternedId id) const {
    return std::hash<std::string_view>{}(id.view());
  }
};
