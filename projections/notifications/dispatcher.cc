// The dispatcher's planning half: deciding which messages came due (dispatcher.h).
#include "dispatcher.h"

#include <algorithm>
#include <map>

#include "reminder_plan.h"
#include "templates.h"

namespace turno::projections::notifications {
namespace {

Delivery skipped(const Message& message, std::int64_t now_ms, std::string reason) {
  Delivery delivery = delivery_of(message, Channel::kNone, now_ms);
  delivery.status = DeliveryStatus::kSkipped;
  delivery.finished_at_ms = now_ms;
  delivery.last_error = std::move(reason);
  return delivery;
}

}  // namespace

Delivery delivery_of(const Message& message, Channel channel, std::int64_t now_ms) {
  Delivery delivery;
  delivery.id = message.id + "." + std::string(to_string(channel));
  delivery.message_id = message.id;
  delivery.channel = channel;
  delivery.kind = message.kind;
  delivery.tenant_id = message.tenant_id;
  delivery.booking_id = message.booking_id;
  delivery.recipient = message.recipient;
  delivery.cause_seq = message.cause_seq;
  delivery.due_at_ms = message.due_at_ms;
  delivery.useful_until_ms = message.useful_until_ms;
  delivery.created_at_ms = now_ms;
  delivery.next_attempt_ms = now_ms;
  return delivery;
}

Dispatcher::Dispatcher(const Projector& view, SettingsStore& settings, OutboxStore& outbox,
                       Transport& transport, const Clock& clock, DeliveryLimits limits,
                       std::function<Seq()> head_seq)
    : view_(view),
      settings_(settings),
      outbox_(outbox),
      transport_(transport),
      clock_(clock),
      limits_(limits),
      head_seq_(std::move(head_seq)) {}

PassReport Dispatcher::pass() {
  PassReport report;
  const std::int64_t now_ms = clock_.now_ms();
  report.error = plan_notices(now_ms, report);
  if (report.error.is_ok()) report.error = plan_time_driven(now_ms, report);
  if (report.error.is_ok()) report.error = deliver(now_ms, report);
  metrics_.passes.fetch_add(1);
  if (!report.error.is_ok()) metrics_.pass_errors.fetch_add(1);
  metrics_.messages_decided.fetch_add(report.decided);
  return report;
}

Status Dispatcher::plan_notices(std::int64_t now_ms, PassReport& report) {
  OutboxCursors cursors = outbox_.cursors();
  const std::vector<Message> notices = read_view([&](const NotificationsView& view) {
    return view.notices_after(cursors.notice_seq, limits_.plan_batch_max);
  });
  if (notices.empty()) return Status::ok();
  std::vector<std::string> ids;
  std::vector<Delivery> deliveries;
  for (const Message& notice : notices) {
    const std::string reason = now_ms > notice.useful_until_ms ? "no longer useful" : "";
    if (Status decided = decide(notice, now_ms, reason, ids, deliveries); !decided.is_ok()) {
      return decided;
    }
  }
  // A full batch may have cut the last seq's notices short: leave that seq to the next pass
  // (what was decided of it is recorded as decided and not decided again).
  const std::uint64_t last_seq = notices.back().cause_seq;
  cursors.notice_seq = notices.size() < limits_.plan_batch_max ? last_seq : last_seq - 1;
  report.decided += ids.size();
  return outbox_.record(ids, deliveries, cursors);
}

Status Dispatcher::plan_time_driven(std::int64_t now_ms, PassReport& report) {
  const Seq applied = view_.applied_seq();
  if (head_seq_ && head_seq_().value > applied.value + limits_.view_lag_events_max) {
    report.view_behind = true;
    return Status::ok();
  }
  OutboxCursors cursors = outbox_.cursors();
  const std::int64_t from_ms = cursors.tick_ms == 0
                                   ? now_ms - limits_.lag_guard_ms
                                   : std::max(cursors.tick_ms - limits_.lag_guard_ms,
                                              now_ms - limits_.catch_up_window_max_ms);
  std::map<std::uint64_t, AppointmentPlan> plans;  // by start seq: once each
  std::vector<Message> recalls;
  read_view([&](const NotificationsView& view) {
    for (const std::int32_t offset_min : settings_.all_offsets_min()) {
      const std::int64_t offset_ms = offset_min * kMsPerMinute;
      for (AppointmentPlan& plan : view.appointments_starting(
               from_ms + offset_ms, now_ms + offset_ms + 1, limits_.plan_batch_max)) {
        plans.emplace(plan.start_seq, std::move(plan));
      }
    }
    recalls = view.recalls_due(from_ms, now_ms + 1, limits_.plan_batch_max);
    return 0;
  });
  std::vector<std::string> ids;
  std::vector<Delivery> deliveries;
  for (const auto& [start_seq, plan] : plans) {
    const std::optional<TenantSettings> settings = settings_.tenant(plan.base.tenant_id);
    const std::vector<std::int32_t> offsets =
        settings ? settings->offsets_min() : default_reminder_offsets_min();
    for (const ReminderDecision& decision : plan_reminders(plan, offsets, now_ms)) {
      if (decision.action == ReminderAction::kNotYet) continue;
      if (Status decided = decide(decision.message, now_ms, decision.reason, ids, deliveries);
          !decided.is_ok()) {
        return decided;
      }
    }
  }
  for (const Message& recall : recalls) {
    const std::string reason = now_ms > recall.useful_until_ms ? "no longer useful" : "";
    if (Status decided = decide(recall, now_ms, reason, ids, deliveries); !decided.is_ok()) {
      return decided;
    }
  }
  cursors.tick_ms = now_ms;
  report.decided += ids.size();
  return outbox_.record(ids, deliveries, cursors);
}

Status Dispatcher::decide(const Message& message, std::int64_t now_ms,
                          const std::string& skip_reason, std::vector<std::string>& ids,
                          std::vector<Delivery>& out) {
  if (std::find(ids.begin(), ids.end(), message.id) != ids.end()) return Status::ok();
  const Result<bool> decided = outbox_.decided(message.id);
  if (!decided.is_ok()) return decided.status();
  if (decided.value()) return Status::ok();
  ids.push_back(message.id);
  const std::size_t before = out.size();
  if (!skip_reason.empty()) {
    out.push_back(skipped(message, now_ms, skip_reason));
  } else {
    deliveries_for(message, now_ms, out);
  }
  for (std::size_t i = before; i < out.size(); ++i) {
    if (out[i].status == DeliveryStatus::kSkipped) {
      metrics_.skipped[static_cast<std::size_t>(out[i].channel)].fetch_add(1);
    }
  }
  return Status::ok();
}

void Dispatcher::deliveries_for(const Message& message, std::int64_t now_ms,
                                std::vector<Delivery>& out) {
  const std::optional<TenantSettings> settings = settings_.tenant(message.tenant_id);
  if (!settings) {
    out.push_back(skipped(message, now_ms, "no notification settings for the tenant"));
    return;
  }
  if (message.kind == MessageKind::kRecall && !settings->recalls_enabled) {
    out.push_back(skipped(message, now_ms, "recalls disabled"));
    return;
  }
  const Result<std::optional<Contact>> found =
      settings_.contact(message.tenant_id, message.recipient);
  const std::optional<Contact> contact = found.is_ok() ? found.value() : std::nullopt;
  const std::string locale =
      contact && !contact->locale.empty() ? contact->locale : settings->locale;
  const RenderedText text = render(message, locale, &*settings);
  const auto with_text = [&](Channel channel) {
    Delivery delivery = delivery_of(message, channel, now_ms);
    delivery.locale = locale;
    delivery.subject = text.subject;
    delivery.body = text.body;
    return delivery;
  };
  const std::size_t before = out.size();
  if (settings->webhook.enabled) {
    Delivery delivery = with_text(Channel::kWebhook);
    delivery.address = settings->webhook.url;
    delivery.payload = webhook_payload(message, delivery, contact);
    out.push_back(std::move(delivery));
  }
  if (settings->email.enabled) {
    Delivery delivery = with_text(Channel::kEmail);
    if (contact && !contact->email.empty()) {
      delivery.address = contact->email;
      delivery.document_id = message.facts.document_id;
    } else {
      delivery.status = DeliveryStatus::kSkipped;
      delivery.finished_at_ms = now_ms;
      delivery.last_error = "no e-mail address for " +
                            std::string(to_string(message.recipient.role)) + " " +
                            message.recipient.id;
    }
    out.push_back(std::move(delivery));
  }
  if (out.size() == before) out.push_back(skipped(message, now_ms, "no channel enabled"));
}

}  // namespace turno::projections::notifications
