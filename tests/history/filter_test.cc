// Filters: set from the names the CLI and the HTTP query use, and what they select.
#include <doctest/doctest.h>

#include "history_filter.h"

using namespace turno;
using namespace turno::history;

namespace {

v1::Envelope slot_held(std::uint64_t seq, const std::string& tenant, const std::string& site,
                       std::int64_t recorded_at_ms) {
  v1::Envelope envelope;
  envelope.set_seq(seq);
  envelope.set_tenant_id(tenant);
  envelope.set_site_id(site);
  envelope.set_stream(tenant + "/booking/b" + std::to_string(seq));
  envelope.set_recorded_at_ms(recorded_at_ms);
  envelope.mutable_slot_held()->set_booking_id("b" + std::to_string(seq));
  return envelope;
}

}  // namespace

TEST_CASE("instants are RFC 3339 with a zone or Unix milliseconds") {
  CHECK(parse_instant_ms("1772461200000") == 1'772'461'200'000);
  CHECK(parse_instant_ms("2026-03-02T14:20:00Z") == 1'772'461'200'000);
  CHECK(parse_instant_ms("2026-03-02T09:20:00-05:00") == 1'772'461'200'000);
  CHECK(parse_instant_ms("2026-03-02T15:20:00.250+01:00") == 1'772'461'200'250);
  CHECK_FALSE(parse_instant_ms("2026-03-02T14:20:00").has_value());  // no zone
  CHECK_FALSE(parse_instant_ms("2026-02-30T14:20:00Z").has_value());
  CHECK_FALSE(parse_instant_ms("yesterday").has_value());
  CHECK_FALSE(parse_instant_ms("").has_value());
}

TEST_CASE("a filter is set by name and selects by every criterion") {
  EventFilter filter;
  CHECK(filter.selects_every_event());
  CHECK(filter.describe().empty());
  REQUIRE(filter.set("tenant", "t1,t2").is_ok());
  REQUIRE(filter.set("type", "SlotHeld,payment_succeeded").is_ok());
  REQUIRE(filter.set("from-seq", "2").is_ok());
  REQUIRE(filter.set("until", "2026-03-02T00:00:00Z").is_ok());
  CHECK_FALSE(filter.selects_every_event());
  CHECK(filter.describe() ==
        "tenant=t1,t2 type=slot_held,payment_succeeded from-seq=2 until=1772409600000");

  CHECK(filter.matches(slot_held(5, "t2", "lima", 1'000)));
  CHECK_FALSE(filter.matches(slot_held(1, "t2", "lima", 1'000)));              // seq
  CHECK_FALSE(filter.matches(slot_held(5, "t3", "lima", 1'000)));              // tenant
  CHECK_FALSE(filter.matches(slot_held(5, "t1", "lima", 1'772'409'600'000)));  // until: open
  v1::Envelope other = slot_held(6, "t1", "lima", 1'000);
  other.mutable_checked_in()->set_booking_id("b6");
  CHECK_FALSE(filter.matches(other));  // type
  CHECK(event_type_name(other) == "checked_in");

  EventFilter by_site;
  REQUIRE(by_site.set("site", "cusco").is_ok());
  REQUIRE(by_site.set("stream", "t1/booking/b7").is_ok());
  CHECK(by_site.matches(slot_held(7, "t1", "cusco", 0)));
  CHECK_FALSE(by_site.matches(slot_held(8, "t1", "cusco", 0)));
}

TEST_CASE("unknown names and malformed values are refused, naming the parameter") {
  EventFilter filter;
  CHECK(filter.set("type", "slot_grabbed").message().find("type") == 0);
  CHECK(filter.set("from-seq", "-1").code() == Status::Code::kInvalidArgument);
  CHECK(filter.set("since", "soon").code() == Status::Code::kInvalidArgument);
  CHECK(filter.set("colour", "red").message() == "colour: no such filter");
}
