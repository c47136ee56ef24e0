// A tenant's booking rules, as the writer applies them and the views show them: one struct, so
// the defaults that hold until a tenant's first PolicySet are the same everywhere.
#pragma once

#include <cstdint>

namespace turno {

// A tenant's booking rules (PolicySet); these defaults apply until the first PolicySet.
struct Policy {
  std::int32_t hold_ttl_s = 600;
  std::int32_t free_cancel_window_min = 24 * 60;
  std::int32_t late_cancel_refund_pct = 50;
  std::int32_t no_show_grace_min = 15;
  std::int32_t min_notice_min = 0;
  std::int32_t horizon_days = 180;
  bool prepayment_required = true;
  std::int32_t slot_step_min = 15;
};

// How long the write model keeps a finished booking (lifecycle.h is_finished()) after its last
// event before it forgets it (engine/recall.h). A command that names a forgotten booking later
// (a late refund, a webhook replayed by the provider) recalls it from the log first and is
// decided exactly as if it had never left; the window only spares those reads for the commands
// that usually follow soon after a booking finishes.
inline constexpr std::int64_t kFinishedBookingKeptDays = 14;

}  // namespace turno
