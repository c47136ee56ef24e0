// The projector runtime: follows the log after each commit, applies each event once, persists
// and resumes, and a rebuild from scratch equals what was maintained incrementally.
#include <doctest/doctest.h>

#include <filesystem>

#include "booking_fold_view.h"
#include "catalog_view.h"
#include "engine_support.h"
#include "projector_group.h"
#include "query_side.h"
#include "rebuild.h"
#include "temp_dir.h"
#include "view_support.h"
#include "views.h"

using namespace turno;
using namespace turno::projections;
using namespace turno::testing;

namespace {

constexpr std::chrono::seconds kWait{10};

std::unique_ptr<QuerySide> open_side(const std::string& views_directory,
                                     std::vector<std::string> views = {}) {
  std::vector<std::string> report;
  QuerySideOptions options;
  options.views_directory = views_directory;
  options.views = std::move(views);
  auto side = QuerySide::open(options, report);
  REQUIRE(side.is_ok());
  CHECK(report.empty());
  return std::move(side).value();
}

// Every view's digest, rebuilt from scratch.
std::map<std::string, Hash> rebuilt_digests(const EventLog& log, RebuildOptions options = {}) {
  auto rebuilt = rebuild_views(log, options);
  REQUIRE(rebuilt.is_ok());
  std::map<std::string, Hash> digests;
  for (const auto& view : rebuilt.value().views)
    digests[std::string(view->name())] = view->digest();
  return digests;
}

// The catalog object `view` reads; null for a view that keeps none.
const CatalogState* catalog_of(const View& view) {
  if (const auto* keeps_bookings = dynamic_cast<const BookingFoldView*>(&view)) {
    return keeps_bookings->shared_catalog().get();
  }
  if (const auto* catalog = dynamic_cast<const CatalogView*>(&view)) {
    return catalog->shared_catalog().get();
  }
  return nullptr;
}

// A view folded alone from the first `count` events of `log`.
std::unique_ptr<View> folded_alone(std::string_view name, const std::vector<v1::Envelope>& log,
                                   std::size_t count) {
  std::unique_ptr<View> view = make_view(name);
  for (std::size_t i = 0; i < count; ++i) view->apply(log[i]);
  return view;
}

// Records the staff count of tenant t1 that on_event() sees at each event: the catalog as it
// was before that event, whether folded alone or shared.
class StaffSeenView final : public BookingFoldView {
 public:
  std::string_view name() const override { return "staff_seen"; }
  std::vector<std::size_t> seen;

 protected:
  void on_event(const v1::Envelope&) override {
    const TenantInfo* tenant = catalog().find_tenant("t1");
    seen.push_back(tenant == nullptr ? 0 : tenant->staff.size());
  }
  void on_booking(const BookingChange&, const v1::Envelope&) override {}
  void rebuild_indexes() override {}
  void clear_own() override {}
};

void check_same_as_rebuild(const QuerySide& side, const EventLog& log) {
  for (const auto& entry : rebuilt_digests(log)) {  // no structured binding: INFO captures it
    const std::string& name = entry.first;
    const Hash& digest = entry.second;
    INFO("view ", name);
    auto maintained = side.digest(name);
    REQUIRE(maintained.is_ok());
    CHECK(maintained.value() == digest);
  }
}

}  // namespace

TEST_CASE("embedded: views follow the log right after each commit") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_engine(dir.sub("log"), clock);
  auto side = open_side(dir.sub("views"));
  side->start_embedded(engine->log());
  clinic_on(engine->writer());
  accept(engine->writer(),
         hold("t1", "h1", client("c1"), "lima", "consult", "ana", lima(0, 9), "b1"));
  REQUIRE(side->wait_until_applied(engine->log().last_seq(), kWait));

  auto agenda = side->agenda({"t1", "ana", kMondayDay, 1, true});
  REQUIRE(agenda.is_ok());
  REQUIRE(agenda.value().entries.size() == 1);
  AvailabilityRequest request;
  request.tenant_id = "t1";
  request.site_id = "lima";
  request.service_id = "consult";
  request.from_day = kMondayDay;
  request.now_ms = clock.now_ms();
  auto slots = side->availability(request);
  REQUIRE(slots.is_ok());
  CHECK(slots.value().slots.front().staff_count == 1);  // ana holds 09:00

  const std::string metrics = side->metrics_text();
  CHECK(metrics.find("turno_view_applied_seq{view=\"agenda\"} " +
                     std::to_string(engine->log().last_seq().value)) != std::string::npos);
  CHECK(metrics.find("turno_view_lag_events{view=\"kpis\"} 0") != std::string::npos);
  CHECK(metrics.find("# TYPE turno_view_lag_ms gauge") != std::string::npos);
  check_same_as_rebuild(*side, engine->log());
}

TEST_CASE("a projector persists state and checkpoint, resumes from them, and catches up") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_engine(dir.sub("log"), clock);
  clinic_on(engine->writer());
  bookings_on(engine->writer(), "a", 40);
  Seq first_tail = engine->log().last_seq();
  {
    auto side = open_side(dir.sub("views"));
    side->start_embedded(engine->log());
    REQUIRE(side->wait_until_applied(first_tail, kWait));
    side->stop();  // checkpoints every view
    for (const ViewStatus& view : side->status()) CHECK(view.checkpoint == first_tail);
  }
  // Meanwhile the log moves on; the views restart from their snapshots and catch up.
  bookings_on(engine->writer(), "b", 40, 10);
  auto side = open_side(dir.sub("views"));
  CHECK(side->applied_seq() == first_tail);  // restored, nothing replayed yet
  side->start_embedded(engine->log());
  REQUIRE(side->wait_until_applied(engine->log().last_seq(), kWait));
  for (const ViewStatus& view : side->status()) {
    INFO(view.name);
    CHECK(view.events_applied == engine->log().last_seq().value - first_tail.value);
  }
  check_same_as_rebuild(*side, engine->log());
  auto history = side->client_history({"t1", "c1", "", 100});
  REQUIRE(history.is_ok());
  CHECK(history.value().items.size() == 12);  // 80 bookings, clients c0..c6 in turn
}

TEST_CASE("a projector applies each seq once: duplicates are skipped, a gap stops it") {
  Harness h;
  h.standard_clinic();
  auto projector = Projector::in_memory(make_view("agenda"));
  const std::vector<v1::Envelope>& log = h.log();
  std::vector<v1::Envelope> first(log.begin(), log.begin() + 4);
  CHECK(projector->offer(first).applied_count == 4);
  CHECK(projector->offer(first).applied_count == 0);  // all duplicates
  std::vector<v1::Envelope> skipping(log.begin() + 5, log.end());
  const OfferResult gap = projector->offer(skipping);
  CHECK(gap.gap);
  CHECK(gap.applied == Seq{4});
  std::vector<v1::Envelope> overlapping(log.begin() + 2, log.end());
  const OfferResult rest = projector->offer(overlapping);
  CHECK_FALSE(rest.gap);
  CHECK(rest.applied == Seq{log.size()});
  CHECK(rest.applied_count == log.size() - 4);
}

TEST_CASE("the views that keep bookings share one table once they stand at the same seq") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kMonday2026_03_02 + 14 * kMsPerHour,
            "b1"));
  h.ok(request_payment("t1", "p1", client("c1"), "b1", "pay1"));
  h.ok(payment_succeeded("t1", "w1", "pay1", 10'000, "evt_1"));
  h.ok(cancel("t1", "x1", client("c1"), "b1"));
  const std::vector<v1::Envelope>& log = h.log();
  const std::span<const v1::Envelope> all(log);
  std::vector<std::unique_ptr<Projector>> projectors;
  for (const char* name : {"agenda", "kpis", "invoices", "catalog"}) {
    projectors.push_back(Projector::in_memory(make_view(name)));
  }
  projectors[1]->offer(all.first(6));  // restored from a newer snapshot than the others
  ProjectorGroup group(std::move(projectors));
  CHECK(group.offer(all.first(3)).applied == Seq{3});
  CHECK_FALSE(group.bookings_shared());  // kpis stands at 6, the others at 3
  CHECK(group.offer(all.first(8)).applied == Seq{8});
  const OfferResult gap = group.offer(all.subspan(9));
  CHECK(group.bookings_shared());
  CHECK(gap.gap);
  CHECK(gap.applied == Seq{8});
  CHECK(group.offer(all).applied == Seq{log.size()});
  // The same states as views that folded every event alone.
  for (const auto& projector : group.projectors()) {
    INFO(projector->name());
    auto alone = Projector::in_memory(make_view(projector->name()));
    alone->offer(all);
    CHECK(to_hex(projector->digest()) == to_hex(alone->digest()));
  }
}

TEST_CASE("the catalog view and the views that keep bookings share one catalog once aligned") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", lima(1, 10), "b1"));
  // Catalog events after the views share: folded once, seen by every view.
  h.ok(add_time_off("t1", "off", "ana", lima(1, 13), lima(1, 15)));
  h.ok(add_staff("t1", "staff-carl", "carl", "lima", {"general"}));
  h.ok(set_schedule("t1", "sched-carl", "carl", {1, 2, 3}, 8 * 60, 12 * 60));
  h.ok(cancel("t1", "x1", client("c1"), "b1"));
  const std::vector<v1::Envelope>& log = h.log();
  const std::span<const v1::Envelope> all(log);
  std::vector<std::unique_ptr<Projector>> projectors;
  for (std::string_view name : view_names())
    projectors.push_back(Projector::in_memory(make_view(name)));
  projectors[2]->offer(all.first(5));  // the catalog view, restored from a newer snapshot
  ProjectorGroup group(std::move(projectors));
  auto catalogs = [&] {
    std::vector<const CatalogState*> out;
    for (const auto& projector : group.projectors()) {
      out.push_back(projector->read([](const View& view) { return catalog_of(view); }));
    }
    return out;
  };
  CHECK(group.offer(all.first(3)).applied == Seq{3});
  CHECK(group.offer(all.first(8)).applied == Seq{8});
  CHECK_FALSE(group.bookings_shared());  // aligned only now: shared from the next offer
  std::vector<const CatalogState*> before = catalogs();
  std::sort(before.begin(), before.end());
  CHECK(std::unique(before.begin(), before.end()) == before.end());  // one copy each

  CHECK(group.offer(all).applied == Seq{log.size()});
  CHECK(group.bookings_shared());
  for (const CatalogState* catalog : catalogs()) {
    REQUIRE(catalog != nullptr);
    CHECK(catalog == catalogs().front());
  }
  // The same states as views that folded every event alone.
  for (const auto& projector : group.projectors()) {
    INFO(projector->name());
    const auto alone = folded_alone(projector->name(), log, log.size());
    CHECK(to_hex(projector->digest()) == to_hex(alone->digest()));
    CHECK(projector->read([](const View& view) { return view.encode(); }) == alone->encode());
  }
  const Projector* catalog = group.find("catalog");
  REQUIRE(catalog != nullptr);
  CHECK(catalog->read([](const View& view) {
    return static_cast<const CatalogView&>(view).state().find_tenant("t1")->find_staff("carl") !=
           nullptr;
  }));
}

TEST_CASE("a view applying an event alone copies a shared catalog only when it changes it") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", lima(1, 10), "b1"));
  h.ok(hold("t1", "h2", client("c2"), "lima", "consult", "ben", lima(1, 10), "b2"));
  h.ok(add_time_off("t1", "off", "ana", lima(2, 13), lima(2, 15)));
  const std::vector<v1::Envelope>& log = h.log();
  const std::size_t shared_count = log.size() - 2;  // the last booking event and time off alone
  std::vector<std::unique_ptr<View>> views;
  std::vector<View*> members;
  for (std::string_view name : view_names()) {
    views.push_back(make_view(name));
    members.push_back(views.back().get());
  }
  {
    SharedFold fold(members);
    for (std::size_t i = 0; i < shared_count; ++i) fold.apply(log[i]);
  }
  const CatalogState* shared = catalog_of(*views.front());
  for (const auto& view : views) CHECK(catalog_of(*view) == shared);

  View& kpis = *views[5];
  View& catalog = *views[2];
  REQUIRE(kpis.name() == "kpis");
  REQUIRE(catalog.name() == "catalog");
  for (View* alone : {&kpis, &catalog}) {
    INFO(alone->name());
    alone->apply(log[shared_count]);  // a booking event: the catalog stays shared
    CHECK(catalog_of(*alone) == shared);
    alone->apply(log[shared_count + 1]);  // time off: its own copy first
    CHECK(catalog_of(*alone) != shared);
    CHECK(alone->digest() == folded_alone(alone->name(), log, log.size())->digest());
  }
  // The others still share the catalog as it was, without the time off.
  for (const auto& view : views) {
    if (view.get() == &kpis || view.get() == &catalog) continue;
    INFO(view->name());
    CHECK(catalog_of(*view) == shared);
    CHECK(view->digest() == folded_alone(view->name(), log, shared_count)->digest());
  }
  CHECK(shared->find_tenant("t1")->find_staff("ana")->time_off.empty());
}

TEST_CASE("a shared fold shows on_event the catalog as it was before the event, like alone") {
  Harness h;
  h.standard_clinic();
  h.ok(add_staff("t1", "staff-carl", "carl", "lima", {"general"}));
  StaffSeenView alone;
  for (const v1::Envelope& event : h.log()) alone.apply(event);
  StaffSeenView first;
  StaffSeenView second;
  CatalogView catalog;
  SharedFold fold({&first, &catalog, &second});
  for (const v1::Envelope& event : h.log()) fold.apply(event);
  CHECK(alone.seen.back() == 2);  // carl joins with the last event
  CHECK(first.seen == alone.seen);
  CHECK(second.seen == alone.seen);
  CHECK(catalog.state().find_tenant("t1")->staff.size() == 3);
}

TEST_CASE("a snapshot that does not decode is skipped and the view rebuilds from the log") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_engine(dir.sub("log"), clock);
  clinic_on(engine->writer());
  bookings_on(engine->writer(), "a", 10);
  {
    std::filesystem::create_directories(dir.sub("views") + "/invoices");
    auto store = SnapshotStore::open(dir.sub("views") + "/invoices");
    REQUIRE(store.is_ok());
    REQUIRE(store.value()->write(Seq{5}, "not a view state").is_ok());
  }
  std::vector<std::string> report;
  QuerySideOptions options;
  options.views_directory = dir.sub("views");
  options.views = {"invoices"};
  auto side = QuerySide::open(options, report);
  REQUIRE(side.is_ok());
  REQUIRE(report.size() == 1);
  CHECK(report[0].find("snapshot at seq 5 skipped") != std::string::npos);
  CHECK(side.value()->applied_seq() == Seq{0});
  side.value()->start_embedded(engine->log());
  REQUIRE(side.value()->wait_until_applied(engine->log().last_seq(), kWait));
  CHECK(side.value()->invoices({"t1", "", "", "", 100}).value().items.size() == 14);
  CHECK(side.value()->kpis({"t1", "", kMondayDay, 1, true}).status().code() ==
        Status::Code::kNotFound);  // this node runs invoices only
}

TEST_CASE("rebuild as of a seq or an instant equals the view maintained up to there") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_engine(dir.sub("log"), clock);
  clinic_on(engine->writer());
  bookings_on(engine->writer(), "a", 10);
  const Seq middle = engine->log().last_seq();
  const std::int64_t middle_ms = clock.now_ms();
  clock.advance(kMsPerHour);
  bookings_on(engine->writer(), "b", 10, 10);

  // Incrementally, up to `middle` only.
  std::vector<v1::Envelope> events;
  REQUIRE(read_envelopes(engine->log(), Seq{1}, middle.value, events).is_ok());
  std::map<std::string, Hash> maintained;
  for (std::string_view name : view_names()) {
    auto view = make_view(name);
    for (const auto& event : events) view->apply(event);
    maintained[std::string(name)] = view->digest();
  }
  RebuildOptions by_seq;
  by_seq.as_of_seq = middle;
  CHECK(rebuilt_digests(engine->log(), by_seq) == maintained);
  RebuildOptions by_time;
  by_time.as_of_ms = middle_ms;
  std::vector<std::pair<Seq, Seq>> progress;
  by_time.progress = [&](Seq done, Seq last) { progress.emplace_back(done, last); };
  by_time.progress_every = 16;
  CHECK(rebuilt_digests(engine->log(), by_time) == maintained);
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back().first == middle);

  // A rebuilt view written to a store is where a restarted query side resumes.
  RebuildOptions agenda_only;
  agenda_only.views = {"agenda"};
  auto rebuilt = rebuild_views(engine->log(), agenda_only);
  REQUIRE(rebuilt.is_ok());
  REQUIRE(write_view_snapshot(*rebuilt.value().views[0], dir.sub("views") + "/agenda").is_ok());
  auto side = open_side(dir.sub("views"), {"agenda"});
  CHECK(side->applied_seq() == engine->log().last_seq());
  CHECK(side->digest("agenda").value() == rebuilt.value().views[0]->digest());
  CHECK(rebuild_views(engine->log(), RebuildOptions{{"nope"}, {}, {}, {}, 1}).status().code() ==
        Status::Code::kInvalidArgument);
}
