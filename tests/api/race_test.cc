// 64 connections race for overlapping slots of the same two staff members: afterwards no two
// active bookings of a staff member overlap, and every loser was answered 409.
#include <doctest/doctest.h>

#include <latch>
#include <thread>

#include "test_server.h"

namespace turno::testing {
namespace {

namespace http = api::http;

constexpr int kConnections = 64;
constexpr int kDistinctStarts = 6;  // 10:00, 10:10, ... 10:50 Lima; 30-minute appointments

struct Attempt {
  unsigned status = 0;
  std::string booking_id;
  std::string type;
};

TEST_CASE("64 concurrent holds on overlapping slots: no overlap, every loser 409") {
  api::ServerOptions options;
  options.io_threads = 2;
  TestServer server(options);
  const Tenant tenant = seed_tenant(server, "t1");
  std::vector<Attempt> attempts(kConnections);
  std::vector<std::string> tokens;
  for (int i = 0; i < kConnections; ++i) {
    tokens.push_back(server.token(v1::ROLE_CLIENT, "t1", "client-" + std::to_string(i)));
  }
  std::latch start(kConnections);
  std::vector<std::thread> threads;
  for (int i = 0; i < kConnections; ++i) {
    threads.emplace_back([&, i] {
      api::BlockingClient client(server.endpoint());
      const std::string staff = i % 2 == 0 ? tenant.staff() : tenant.staff2();
      const std::int64_t start_ms = tuesday_lima(10, (i / 2 % kDistinctStarts) * 10);
      const std::string body = R"({"site_id":")" + tenant.site() + R"(","service_id":")" +
                               tenant.service() + R"(","staff_id":")" + staff + R"(","start":")" +
                               at(start_ms) + "\"}";
      start.arrive_and_wait();
      const Reply reply =
          to_reply(client.send(make_request(http::verb::post, "/v1/holds", body, tokens[i])));
      attempts[i] = {reply.status, reply.text("/booking_id"), reply.text("/type")};
    });
  }
  for (std::thread& thread : threads) thread.join();

  const std::string admin = server.token(v1::ROLE_ADMIN, "t1", "boss");
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_staff;
  int won = 0;
  for (const Attempt& attempt : attempts) {
    INFO(attempt.type);
    REQUIRE((attempt.status == 201 || attempt.status == 409));
    if (attempt.status == 409) {
      CHECK(attempt.type == "urn:turno:problem:slot_taken");
      continue;
    }
    ++won;
    const Reply booking = server.get("/v1/bookings/" + attempt.booking_id, admin);
    by_staff[booking.text("/staff_id")].emplace_back(booking.text("/start"), booking.text("/end"));
  }
  CHECK(by_staff.size() == 2);  // each staff member got at least one
  CHECK(won >= 2);
  // Not a structured binding: INFO captures it in a lambda, which clang 14 does not allow.
  for (auto& [staff_id, intervals] : by_staff) {
    const std::string& staff = staff_id;
    std::sort(intervals.begin(), intervals.end());
    for (std::size_t i = 1; i < intervals.size(); ++i) {
      INFO(staff);
      CHECK(intervals[i - 1].second <= intervals[i].first);  // RFC 3339 UTC sorts as time
    }
  }
}

}  // namespace
}  // namespace turno::testing
