// A read view: a fold over the committed event stream, with its state as canonical bytes.
//
// Contract for every view:
//  * apply() folds events strictly in seq order; the runtime (projector.h) calls it only with
//    seq == applied_seq() + 1, so each event is applied exactly once. apply() is pure: no
//    clock, no I/O, the same events give the same state.
//  * encode() gives the state as bytes (codec.h), deterministic: maps are written sorted, so
//    two views that folded the same events encode to the same bytes; decode() restores a
//    state from such bytes (a snapshot); digest() is the SHA-256 of encode().
//  * State derived only for speed (indexes) is never encoded; decode() rebuilds it.
#pragma once

#include <string>
#include <string_view>

#include "codec.h"
#include "events.pb.h"
#include "status.h"
#include "types.h"

namespace turno::projections {

class View {
 public:
  virtual ~View() = default;
  View() = default;
  View(const View&) = delete;
  View& operator=(const View&) = delete;

  // The view's name: its directory under DATA/views/ and its label in /metrics.
  virtual std::string_view name() const = 0;

  // Folds `event` in. Requires event.seq() == applied_seq() + 1 (VERIFY).
  void apply(const v1::Envelope& event);
  Seq applied_seq() const { return applied_seq_; }
  // recorded_at_ms of the last event applied; 0 before any.
  std::int64_t applied_recorded_at_ms() const { return applied_recorded_at_ms_; }

  // The whole state, canonical: format version, name, applied seq, then the view's fields.
  std::string encode() const;
  // Replaces the state with the one in `bytes`. On error the view is left empty (seq 0).
  Status decode(std::string_view bytes);
  // Back to empty, before the first event.
  void reset();
  Hash digest() const;

 protected:
  virtual void fold(const v1::Envelope& event) = 0;
  virtual void encode_state(Encoder& out) const = 0;
  // Reads the fields encode_state() wrote; the caller checks in.failed() afterwards.
  // applied_seq() and applied_recorded_at_ms() already hold the stored values.
  virtual void decode_state(Decoder& in) = 0;
  // Forgets everything (before decode, or after a failed one).
  virtual void clear() = 0;

 private:
  Seq applied_seq_;
  std::int64_t applied_recorded_at_ms_ = 0;
};

}  // namespace turno::projections
