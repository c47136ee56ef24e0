#include "network_workload.h"

#include <deque>
#include <string>
#include <vector>

#include "clinic_catalog.h"
#include "commands.pb.h"
#include "wave.h"

namespace turno::bench {
namespace {

constexpr std::int64_t kSlotMs = 35 * kMsPerMinute;  // 30 min service + 5 min buffer after
constexpr int kSlotsPerDay = 13;                     // 09:00 .. 16:00 starts, Lima time
constexpr std::int64_t kNineLimaUtcMs = 14 * kMsPerHour;
constexpr std::int64_t kSevenLimaUtcMs = 12 * kMsPerHour;
constexpr std::uint64_t kClients = 50'000;

// What happens to booking n (deterministic, by n).
enum class Fate { kPaid, kPaymentFailed, kCancelledPaid, kNoShow };
Fate fate_of(std::uint64_t n) {
  if (n % 20 == 0) return Fate::kPaymentFailed;
  if (n % 25 == 1) return Fate::kCancelledPaid;
  if (n % 20 == 7) return Fate::kNoShow;
  return Fate::kPaid;
}

struct Appointment {
  std::string tenant;
  std::string id;
  std::string client;
  Fate fate = Fate::kPaid;
};

std::string tenant_id(int t) {
  return "n" + std::to_string(t);
}
std::string site_id(int s) {
  return "s" + std::to_string(s);
}
std::string staff_id(int s, int k) {
  return "st" + std::to_string(s) + "-" + std::to_string(k);
}

// Tenants n<t> ("Network n<t>") with their sites, and staff_per_site at each site, Mon-Sat.
CatalogPlan plan_of(const NetworkOptions& options) {
  CatalogPlan plan;
  plan.last_weekday = 6;
  for (int t = 0; t < options.tenants; ++t) {
    plan.tenants.push_back({tenant_id(t), "Network " + tenant_id(t), options.sites_per_tenant});
    for (int s = 0; s < options.sites_per_tenant; ++s) {
      for (int k = 0; k < options.staff_per_site; ++k) {
        plan.staff.push_back({tenant_id(t), staff_id(s, k), site_id(s)});
      }
    }
  }
  return plan;
}

bool working_day(int day) {
  return day % 7 != 6;  // day 0 is a Monday; Sundays are closed
}

// The command `build` makes for every appointment of `day` whose fate passes `applies`,
// submitted as one wave.
template <typename Applies, typename Build>
Status each(Writer& writer, const std::vector<Appointment>& day, Applies applies, Build build) {
  Wave wave(writer);
  for (const Appointment& appointment : day) {
    if (applies(appointment.fate)) wave.add(build(appointment));
  }
  return wave.run();
}

class Network {
 public:
  Network(Writer& writer, ManualClock& clock, const NetworkOptions& options)
      : writer_(writer), clock_(clock), options_(options) {}

  Status run(const std::function<Status(const NetworkDay&)>& after_day) {
    if (Status status = write_catalog(writer_, plan_of(options_)); !status.is_ok()) return status;
    for (int day = 0; day < options_.days_max; ++day) {
      clock_.set(kNetworkStartMs + day * kMsPerDay + kSevenLimaUtcMs);
      writer_.poke();  // the no-show timers of yesterday's absentees
      if (Status status = attend(day); !status.is_ok()) return status;
      if (Status status = book(day + options_.lead_days); !status.is_ok()) return status;
      if (!working_day(day)) continue;
      progress_.day = day;
      progress_.last_seq = writer_.log().last_seq();
      if (after_day) {
        if (Status status = after_day(progress_); !status.is_ok()) return status;
      }
      if (options_.events_min != 0 && progress_.last_seq.value >= options_.events_min) break;
    }
    return Status::ok();
  }

 private:
  // The day's appointments: checked in and completed, or left for the no-show timer.
  Status attend(int day) {
    if (booked_.empty() || booked_.front().first != day) return Status::ok();
    const std::vector<Appointment> today = std::move(booked_.front().second);
    booked_.pop_front();
    const auto attends = [](Fate fate) { return fate == Fate::kPaid; };
    Status status = each(writer_, today, attends, [](const Appointment& a) {
      v1::Command out = shell(a.tenant, "in-" + a.id, v1::ROLE_ADMIN, "admin");
      out.mutable_check_in()->set_booking_id(a.id);
      return out;
    });
    if (!status.is_ok()) return status;
    status = each(writer_, today, attends, [](const Appointment& a) {
      v1::Command out = shell(a.tenant, "done-" + a.id, v1::ROLE_ADMIN, "admin");
      out.mutable_complete_booking()->set_booking_id(a.id);
      return out;
    });
    for (const Appointment& appointment : today) {
      if (appointment.fate == Fate::kPaid || appointment.fate == Fate::kNoShow) {
        ++progress_.bookings_finished;
      }
    }
    return status;
  }

  // Every slot of `day`: held, payment requested, paid or failed, some cancelled.
  Status book(int day) {
    if (!working_day(day)) return Status::ok();
    std::vector<Appointment> slots;
    std::vector<v1::Command> holds;
    for (int t = 0; t < options_.tenants; ++t) {
      for (int s = 0; s < options_.sites_per_tenant; ++s) {
        for (int k = 0; k < options_.staff_per_site; ++k) {
          for (int slot = 0; slot < kSlotsPerDay; ++slot) {
            const std::uint64_t n = next_booking_++;
            Appointment appointment{tenant_id(t), "b" + std::to_string(n),
                                    "c" + std::to_string(n % kClients), fate_of(n)};
            v1::Command hold = shell(appointment.tenant, "hold-" + appointment.id, v1::ROLE_CLIENT,
                                     appointment.client);
            auto& body = *hold.mutable_hold_slot();
            body.set_booking_id(appointment.id);
            body.set_site_id(site_id(s));
            body.set_service_id("consult");
            body.set_staff_id(staff_id(s, k));
            body.set_start_ms(kNetworkStartMs + day * kMsPerDay + kNineLimaUtcMs + slot * kSlotMs);
            holds.push_back(std::move(hold));
            slots.push_back(std::move(appointment));
          }
        }
      }
    }
    Wave wave(writer_);
    for (v1::Command& hold : holds) wave.add(std::move(hold));
    if (Status status = wave.run(); !status.is_ok()) return status;
    progress_.bookings_made += slots.size();
    const auto all = [](Fate) { return true; };
    Status status = each(writer_, slots, all, [](const Appointment& a) {
      v1::Command out = shell(a.tenant, "pay-" + a.id, v1::ROLE_CLIENT, a.client);
      out.mutable_request_payment()->set_booking_id(a.id);
      out.mutable_request_payment()->set_provider("sandbox");
      out.mutable_request_payment()->set_payment_id("p" + a.id);
      return out;
    });
    if (status.is_ok()) status = each(writer_, slots, all, webhook);
    if (status.is_ok()) status = each(writer_, slots, cancelled, cancel);
    for (const Appointment& appointment : slots) {
      if (cancelled(appointment.fate)) ++progress_.bookings_finished;
    }
    booked_.emplace_back(day, std::move(slots));
    return status;
  }

  static bool cancelled(Fate fate) {
    return fate == Fate::kPaymentFailed || fate == Fate::kCancelledPaid;
  }

  static v1::Command webhook(const Appointment& a) {
    return payment_webhook(a.tenant, "hook-" + a.id, "p" + a.id, "e" + a.id,
                           a.fate == Fate::kPaymentFailed);
  }

  static v1::Command cancel(const Appointment& a) {
    v1::Command out = shell(a.tenant, "cancel-" + a.id, v1::ROLE_ADMIN, "admin");
    out.mutable_cancel_booking()->set_booking_id(a.id);
    out.mutable_cancel_booking()->set_reason("plans changed");
    return out;
  }

  Writer& writer_;
  ManualClock& clock_;
  const NetworkOptions& options_;
  std::uint64_t next_booking_ = 0;
  std::deque<std::pair<int, std::vector<Appointment>>> booked_;  // by appointment day
  NetworkDay progress_;
};

}  // namespace

Status write_network(Writer& writer, ManualClock& clock, const NetworkOptions& options,
                     const std::function<Status(const NetworkDay&)>& after_day) {
  clock.set(kNetworkStartMs - kMsPerDay);
  Network network(writer, clock, options);
  return network.run(after_day);
}

}  // namespace turno::bench
