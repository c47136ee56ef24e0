// The client history view: a client's bookings across sites, newest first, paged.
#include <doctest/doctest.h>

#include "client_history_view.h"
#include "view_support.h"

using namespace turno;
using namespace turno::projections;
using namespace turno::testing;

TEST_CASE("client history: bookings across sites, newest first, with payments, in pages") {
  Harness h;
  h.standard_clinic();
  h.ok(open_site("t1", "site2", "arequipa", "America/Lima"));
  h.ok(add_staff("t1", "st-carl", "carl", "arequipa", {"general"}));
  h.ok(set_schedule("t1", "sc-carl", "carl", {1, 2, 3, 4, 5}, 9 * 60, 17 * 60));
  book_and_pay(h, "b1", "c1", "ana", lima(0, 9));
  h.ok(hold("t1", "h2", client("c1"), "arequipa", "consult", "carl", lima(2, 9), "b2"));
  book_and_pay(h, "b3", "c1", "ben", lima(1, 9));
  h.ok(refund("t1", "rf3", "b3", 2'500));
  book_and_pay(h, "b4", "c2", "ana", lima(3, 9));
  ClientHistoryView view;
  fold_all(view, h.log());

  auto first = view.query({"t1", "c1", "", 2});
  REQUIRE(first.is_ok());
  REQUIRE(first.value().items.size() == 2);
  CHECK(first.value().items[0].booking.id == "b2");
  CHECK(first.value().items[0].site_name == "Site arequipa");
  CHECK(first.value().items[1].booking.id == "b3");
  CHECK(first.value().items[1].booking.paid_minor == 10'000);
  CHECK(first.value().items[1].booking.refunded_minor == 2'500);
  REQUIRE(first.value().items[1].booking.payments.size() == 1);
  CHECK(first.value().items[1].booking.payments[0].state == PaymentStatus::kSucceeded);
  CHECK_FALSE(first.value().next_page_token.empty());

  auto second = view.query({"t1", "c1", first.value().next_page_token, 2});
  REQUIRE(second.value().items.size() == 1);
  CHECK(second.value().items[0].booking.id == "b1");
  CHECK(second.value().next_page_token.empty());

  const std::string json = client_history_json(first.value());
  CHECK(json.find(R"("refunded_minor":2500)") != std::string::npos);
  CHECK(json.find(R"("reason":"REFUND_REASON_REQUESTED")") != std::string::npos);
  CHECK(view.query({"t1", "nobody", "", 10}).status().code() == Status::Code::kNotFound);
  CHECK(view.query({"t9", "c1", "", 10}).status().code() == Status::Code::kNotFound);
  CHECK(view.query({"t1", "c1", "garbage", 10}).status().code() == Status::Code::kInvalidArgument);
  ClientHistoryView copy;
  check_round_trip(view, copy);
  CHECK(copy.query({"t1", "c1", "", 10}).value().items.size() == 3);
}
