// The availability view: free slots with the staff free for each, and reassignment options.
// The strongest check: every slot it offers, the writer accepts, and every grid time it leaves
// out (inside working hours), the writer refuses.
#include <doctest/doctest.h>

#include <random>

#include "availability_view.h"
#include "decide.h"
#include "view_support.h"

using namespace turno;
using namespace turno::projections;
using namespace turno::testing;

namespace {

Availability slots_of(const AvailabilityView& view, AvailabilityRequest request) {
  auto availability = view.query(request);
  REQUIRE(availability.is_ok());
  return availability.value();
}

AvailabilityRequest consult_on(std::int64_t day, std::int64_t now_ms, std::int32_t days = 1) {
  AvailabilityRequest request;
  request.tenant_id = "t1";
  request.site_id = "lima";
  request.service_id = "consult";
  request.from_day = day;
  request.days = days;
  request.now_ms = now_ms;
  return request;
}

std::vector<std::string> staff_of(const Availability& availability, const Slot& slot) {
  std::vector<std::string> names;
  for (std::uint32_t i = 0; i < slot.staff_count; ++i) {
    names.push_back(availability.staff_ids[availability.slot_staff[slot.first_staff + i]]);
  }
  return names;
}

const Slot* slot_at(const Availability& availability, std::int64_t start_ms) {
  for (const Slot& slot : availability.slots) {
    if (slot.start_ms == start_ms) return &slot;
  }
  return nullptr;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("availability: the grid of the working day, each slot naming who is free") {
  Harness h;
  h.standard_clinic();
  AvailabilityView view;
  fold_all(view, h.log());
  const Availability monday = slots_of(view, consult_on(kMondayDay, h.now()));
  // 09:00 .. 16:30 every 15 minutes (a 30-minute consult must end by 17:00): 31 slots.
  REQUIRE(monday.slots.size() == 31);
  CHECK(monday.slots.front().start_ms == lima(0, 9));
  CHECK(monday.slots.back().start_ms == lima(0, 16, 30));
  CHECK(staff_of(monday, monday.slots.front()) == Names{"ana", "ben"});
  // Saturday and Sunday: nobody works.
  CHECK(slots_of(view, consult_on(kMondayDay + 5, h.now(), 2)).slots.empty());
  const std::string json = availability_json(monday);
  CHECK(
      json.find(
          R"({"start":"2026-03-02T09:00:00-05:00","end":"2026-03-02T09:30:00-05:00","staff":["ana","ben"]})") !=
      std::string::npos);
}

TEST_CASE("availability: holds block their staff member, buffers included, until released") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", lima(0, 9), "b1"));
  AvailabilityView view;
  fold_all(view, h.log());
  Availability monday = slots_of(view, consult_on(kMondayDay, h.now()));
  CHECK(staff_of(monday, *slot_at(monday, lima(0, 9))) == Names{"ben"});
  // 09:30 would start inside the 5-minute buffer after ana's 09:00 consult.
  CHECK(staff_of(monday, *slot_at(monday, lima(0, 9, 30))) == Names{"ben"});
  CHECK(staff_of(monday, *slot_at(monday, lima(0, 9, 45))) == Names{"ana", "ben"});
  // 08:45 for ana would end at 09:15 — taken; ana does not work then anyway.
  CHECK(slot_at(monday, lima(0, 8, 45)) == nullptr);

  h.ok(cancel("t1", "x1", client("c1"), "b1"));
  fold_all(view, h.log());
  monday = slots_of(view, consult_on(kMondayDay, h.now()));
  CHECK(staff_of(monday, *slot_at(monday, lima(0, 9))) == Names{"ana", "ben"});
}

TEST_CASE("availability: time off, skills, one staff member, notice, horizon and retirement") {
  Harness h;
  h.standard_clinic();
  h.ok(add_time_off("t1", "off", "ben", lima(0, 12), lima(0, 14)));
  h.ok(define_service("t1", "svc-ker", "keratin", 90, 20'000, "hair"));
  h.ok(add_staff("t1", "st-cleo", "cleo", "lima", {"hair"}));
  h.ok(set_schedule("t1", "sc-cleo", "cleo", {1}, 10 * 60, 13 * 60));
  AvailabilityView view;
  fold_all(view, h.log());

  Availability monday = slots_of(view, consult_on(kMondayDay, h.now()));
  CHECK(staff_of(monday, *slot_at(monday, lima(0, 11, 30))) == Names{"ana", "ben"});
  CHECK(staff_of(monday, *slot_at(monday, lima(0, 11, 45))) == Names{"ana"});
  CHECK(staff_of(monday, *slot_at(monday, lima(0, 13, 45))) == Names{"ana"});
  CHECK(staff_of(monday, *slot_at(monday, lima(0, 14))) == Names{"ana", "ben"});

  AvailabilityRequest keratin = consult_on(kMondayDay, h.now());
  keratin.service_id = "keratin";
  const Availability hair = slots_of(view, keratin);
  REQUIRE(hair.slots.size() == 7);  // 10:00 .. 11:30, 90 minutes within 10:00-13:00
  CHECK(staff_of(hair, hair.slots[0]) == Names{"cleo"});

  AvailabilityRequest by_skill = consult_on(kMondayDay, h.now());
  by_skill.service_id.clear();
  by_skill.skill = "general";
  by_skill.duration_min = 60;
  by_skill.staff_id = "ben";
  const Availability ben = slots_of(view, by_skill);
  CHECK(ben.staff_ids == Names{"ben"});
  CHECK(slot_at(ben, lima(0, 11)) != nullptr);
  CHECK(slot_at(ben, lima(0, 11, 15)) == nullptr);  // 11:15-12:15 runs into time off

  // Minimum notice: at 10:05 with 60 minutes notice, the first slot is 11:15.
  v1::PolicySet policy;
  policy.set_hold_ttl_s(600);
  policy.set_min_notice_min(60);
  policy.set_horizon_days(1);
  policy.set_slot_step_min(15);
  policy.set_prepayment_required(true);
  h.ok(set_policy("t1", "policy", policy));
  fold_all(view, h.log());
  monday = slots_of(view, consult_on(kMondayDay, lima(0, 10, 5), 3));
  CHECK(monday.slots.front().start_ms == lima(0, 11, 15));
  // Horizon of one day: nothing after Tuesday 10:05.
  CHECK(monday.slots.back().start_ms <= lima(1, 10, 5));

  h.ok(booking_step("t1", "retire", admin(), [](v1::Command& command) {
    command.mutable_retire_service()->set_service_id("keratin");
  }));
  fold_all(view, h.log());
  CHECK(slots_of(view, keratin).slots.empty());
  CHECK(view.query(consult_on(kMondayDay, h.now(), 0)).status().code() ==
        Status::Code::kInvalidArgument);
  keratin.service_id = "nothing";
  CHECK(view.query(keratin).status().code() == Status::Code::kNotFound);
}

TEST_CASE("availability agrees with the writer: offered slots are accepted, others refused") {
  Harness h;
  h.standard_clinic();
  h.ok(define_service("t1", "svc-long", "long", 50, 30'000, "general", 10, 10));
  h.ok(add_time_off("t1", "off", "ana", lima(1, 13), lima(1, 15, 20)));
  std::mt19937 random(42);
  const std::vector<std::string> services = {"consult", "long"};
  for (int i = 0; i < 50; ++i) {
    const std::int64_t start = lima(random() % 3, 9) + (random() % 32) * 15 * kMsPerMinute;
    const std::string staff_id = random() % 2 ? "ana" : "ben";
    const std::string booking = "bk" + std::to_string(i);
    h.run(hold("t1", "r" + booking, client("c"), "lima", services[random() % 2], staff_id, start,
               booking));
    if (i % 7 == 0) h.run(cancel("t1", "x" + booking, admin(), booking));
  }
  AvailabilityView view;
  fold_all(view, h.log());
  for (const std::string& service : services) {
    AvailabilityRequest request = consult_on(kMondayDay, h.now(), 3);
    request.service_id = service;
    const Availability found = slots_of(view, request);
    std::size_t offered = 0;
    for (std::int64_t day = 0; day < 3; ++day) {
      for (std::int64_t step = 0; step < 4 * 24; ++step) {
        const std::int64_t start = lima(day, 0) + step * 15 * kMsPerMinute;
        const Slot* slot = slot_at(found, start);
        const Names free = slot ? staff_of(found, *slot) : Names{};
        for (const std::string staff_id : {"ana", "ben"}) {
          const bool is_offered = std::find(free.begin(), free.end(), staff_id) != free.end();
          const Decision decision =
              decide(h.model(), hold("t1", "probe", client("p"), "lima", service, staff_id, start),
                     DecideContext{h.now(), h.model().last_seq.next()});
          INFO(service, " ", staff_id, " at ", start);
          CHECK(decision.accepted() == is_offered);
          offered += is_offered;
        }
      }
    }
    CHECK(offered > 40);  // the day is not full: both answers are exercised
  }
}

TEST_CASE("reassignment: other qualified staff free at the same time, else nearest that day") {
  Harness h;
  h.standard_clinic();
  h.ok(add_staff("t1", "st-cleo", "cleo", "lima", {"general"}));
  h.ok(set_schedule("t1", "sc-cleo", "cleo", {1}, 9 * 60, 17 * 60));
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", lima(0, 10), "b1"));
  h.ok(hold("t1", "h2", client("c2"), "lima", "consult", "cleo", lima(0, 10), "b2"));
  h.ok(hold("t1", "h3", client("c3"), "lima", "consult", "cleo", lima(0, 9, 15), "b3"));
  h.ok(cancel("t1", "x1", staff("ana", "lima"), "b1"));
  AvailabilityView view;
  fold_all(view, h.log());
  auto found = view.alternatives({"t1", "b1", h.now(), 10});
  REQUIRE(found.is_ok());
  const auto& options = found.value().options;
  REQUIRE(options.size() == 2);
  CHECK(options[0].staff_id == "ben");
  CHECK(options[0].same_time);
  // cleo is blocked 09:15-09:50 and 10:00-10:35 (5-minute buffers): nothing fits before 10:00
  // that day, and 10:45 is the first start after.
  CHECK(options[1].staff_id == "cleo");
  CHECK(options[1].start_ms == lima(0, 10, 45));
  CHECK(options[1].distance_min == 45);
  CHECK_FALSE(options[1].same_time);
  CHECK(alternatives_json(found.value()).find(R"("same_time":true)") != std::string::npos);
  CHECK(view.alternatives({"t1", "nope", h.now(), 10}).status().code() == Status::Code::kNotFound);
  AvailabilityView copy;
  check_round_trip(view, copy);
}
