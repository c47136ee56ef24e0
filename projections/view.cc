#include "view.h"

#include "sha256.h"
#include "verify.h"

namespace turno::projections {
namespace {
// Bumped when any view's byte layout changes: older snapshots are then rebuilt, not misread.
constexpr std::uint64_t kStateFormatVersion = 1;
}  // namespace

void View::apply(const v1::Envelope& event) {
  VERIFY(event.seq() == applied_seq_.value + 1, "views fold events in seq order, once each");
  fold(event);
  applied_seq_ = Seq{event.seq()};
  applied_recorded_at_ms_ = event.recorded_at_ms();
}

std::string View::encode() const {
  Encoder out;
  out.u64(kStateFormatVersion);
  out.str(name());
  out.u64(applied_seq_.value);
  out.i64(applied_recorded_at_ms_);
  encode_state(out);
  return out.take();
}

Status View::decode(std::string_view bytes) {
  reset();
  Decoder in(bytes);
  const std::uint64_t version = in.u64();
  const std::string stored_name = in.str();
  if (in.failed() || version != kStateFormatVersion || stored_name != name()) {
    return Status::corruption("view " + std::string(name()) + ": not a state of this view");
  }
  // Set first: a view may derive indexes from how far it has come (decode_state reads them).
  applied_seq_ = Seq{in.u64()};
  applied_recorded_at_ms_ = in.i64();
  decode_state(in);
  if (in.failed() || !in.at_end()) {
    reset();
    return Status::corruption("view " + std::string(name()) + ": state does not decode");
  }
  return Status::ok();
}

void View::reset() {
  clear();
  applied_seq_ = Seq{};
  applied_recorded_at_ms_ = 0;
}

Hash View::digest() const {
  return sha256(encode());
}

}  // namespace turno::projections
