#include "reminder_plan.h"

#include <algorithm>

namespace turno::projections::notifications {

std::vector<ReminderDecision> plan_reminders(const AppointmentPlan& plan,
                                             std::span<const std::int32_t> offsets_min,
                                             std::int64_t now_ms) {
  std::vector<std::int32_t> offsets(offsets_min.begin(), offsets_min.end());
  std::sort(offsets.begin(), offsets.end(), std::greater<>());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  const std::int64_t start_ms = plan.base.facts.start_ms;
  std::vector<ReminderDecision> out;
  for (const std::int32_t offset : offsets) {
    const std::int64_t due_ms = start_ms - offset * kMsPerMinute;
    if (due_ms < plan.confirmed_at_ms) continue;
    ReminderDecision decision;
    decision.message = plan.base;
    decision.message.id = reminder_id(plan.start_seq, offset);
    decision.message.due_at_ms = due_ms;
    decision.message.facts.offset_min = offset;
    if (due_ms > now_ms) {
      decision.action = ReminderAction::kNotYet;
    } else if (now_ms >= start_ms) {
      decision.action = ReminderAction::kSkip;
      decision.reason = "appointment already started";
    } else {
      decision.action = ReminderAction::kSend;
    }
    out.push_back(std::move(decision));
  }
  // Of the reminders due now, only the shortest offset (the last one due) is sent.
  ReminderDecision* latest = nullptr;
  for (ReminderDecision& decision : out) {
    if (decision.action != ReminderAction::kSend) continue;
    if (latest != nullptr) {
      latest->action = ReminderAction::kSkip;
      latest->reason = "superseded by the " + std::to_string(decision.message.facts.offset_min) +
                       " min reminder";
    }
    latest = &decision;
  }
  return out;
}

}  // namespace turno::projections::notifications
