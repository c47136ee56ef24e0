// Reminders of one appointment at a tenant's offsets: pure arithmetic on instants.
//
// "24 h before" is 24 hours of real time before the start instant (UTC), whatever the site's
// clock does in between (a daylight-saving change moves the local time the reminder goes out,
// never the interval); texts show the start in the site's local time.
//
// For each offset, due = start - offset:
//   due before the booking was confirmed     not applicable: no message at all (a booking made
//                                            an hour ahead gets no 24 h reminder)
//   due after now                            not yet
//   now at or past the start                 skipped: "appointment already started"
//   a shorter offset is also due             skipped: superseded by it (after downtime, one
//                                            reminder, the most recent, not a burst)
//   otherwise                                send
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "notifications_view.h"

namespace turno::projections::notifications {

inline constexpr std::size_t kReminderOffsetsMax = 6;
inline constexpr std::int32_t kReminderOffsetMinMin = 1;
inline constexpr std::int32_t kReminderOffsetMaxMin = 30 * 24 * 60;
// The default offsets: 24 h, 2 h and 30 min before the start.
inline const std::vector<std::int32_t>& default_reminder_offsets_min() {
  static const std::vector<std::int32_t> offsets = {24 * 60, 2 * 60, 30};
  return offsets;
}

enum class ReminderAction : std::uint8_t { kNotYet, kSend, kSkip };

struct ReminderDecision {
  ReminderAction action = ReminderAction::kNotYet;
  Message message;     // id, due_at and facts.offset_min set
  std::string reason;  // kSkip: why
};

// The decisions for every applicable offset of `plan` at `now_ms`, longest offset first.
std::vector<ReminderDecision> plan_reminders(const AppointmentPlan& plan,
                                             std::span<const std::int32_t> offsets_min,
                                             std::int64_t now_ms);

}  // namespace turno::projections::notifications
