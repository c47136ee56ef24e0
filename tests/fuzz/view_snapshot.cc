// View snapshot decoding: the first byte picks a view (views.h), the rest is its snapshot
// payload. Any bytes give a state or an error (and an empty view); a state that decodes
// encodes to bytes that decode to the same state.
#include "fuzz_input.h"
#include "targets.h"
#include "verify.h"
#include "views.h"

namespace turno::fuzz {

void view_snapshot(std::string_view input) {
  FuzzInput in(input);
  const auto& names = projections::view_names();
  const std::string_view name = names[in.byte() % names.size()];
  const std::unique_ptr<projections::View> view = projections::make_view(name);
  VERIFY(view != nullptr, "every listed view can be made");
  if (!view->decode(in.rest()).is_ok()) {
    VERIFY(view->applied_seq() == Seq{}, "a failed decode leaves the view empty");
    return;
  }
  const std::string encoded = view->encode();
  const std::unique_ptr<projections::View> again = projections::make_view(name);
  VERIFY(again->decode(encoded).is_ok(), "a decoded state encodes to bytes that decode");
  VERIFY(again->encode() == encoded, "and to the same state");
}

}  // namespace turno::fuzz
