// The API's answers on the history workload, against committed golden files: the safety net
// for reshaping the core (issue 12). A deterministic log (bench/history_workload.h, on a
// clock that stands still) is served by the real HTTP API in process; every request of the
// table below is asked with a role that may ask it, and its status and the SHA-256 of its
// body must be those in history_answers.txt. A few small answers are also kept whole, in
// history_bodies.txt, so that a reviewer sees what a drift changed. The views' digests are
// recorded too, but only warned about: their encodings may change on purpose.
//
// TURNO_GOLDEN_UPDATE=1 rewrites both files instead of comparing.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "history_workload.h"
#include "sha256.h"
#include "test_server.h"
#include "views.h"

using namespace turno;
using namespace turno::testing;

namespace {

constexpr std::uint64_t kEventsMin = 30'000;
constexpr std::size_t kWaveBookings = 256;
constexpr int kTenants = 3;
constexpr int kStaff = 6;  // what the workload hires for kEventsMin: one per site
constexpr std::chrono::seconds kFoldTimeout{120};  // the digests' own fold, under sanitizers
constexpr std::size_t kBodyPrintBytesMax = 16 * 1024;
const std::string kAnswersPath = std::string(TURNO_GOLDEN_DIR) + "/history_answers.txt";
const std::string kBodiesPath = std::string(TURNO_GOLDEN_DIR) + "/history_bodies.txt";

// Who asks: the token's role, tenant and subject (a staff member's site and staff id too).
struct Caller {
  v1::Role role = v1::ROLE_ADMIN;
  std::string tenant;
  std::string subject;
  std::string site;
  std::string label() const {
    const std::string who = role == v1::ROLE_ADMIN    ? "admin"
                            : role == v1::ROLE_CLIENT ? "client"
                                                      : "staff";
    return who + ":" + tenant + (role == v1::ROLE_ADMIN ? "" : "/" + subject);
  }
};

// The workload's layout (bench/history_workload.cc): booking k and staff member k belong to
// tenant k mod 3; staff member k works at site (k / 3) mod 2; booking k's client is c<k mod 5000>.
std::string tenant_of(int k) {
  return "t" + std::to_string(k % kTenants);
}
Caller admin(int tenant) {
  return {v1::ROLE_ADMIN, tenant_of(tenant), "admin", {}};
}
Caller client(int tenant, const std::string& id) {
  return {v1::ROLE_CLIENT, tenant_of(tenant), id, {}};
}
Caller staff(int k) {
  return {v1::ROLE_STAFF, tenant_of(k), "st" + std::to_string(k),
          "s" + std::to_string((k / kTenants) % 2)};
}

struct Ask {
  std::string target;
  Caller caller;
  bool keep_body = false;  // written whole to history_bodies.txt
};

void add_bookings(std::vector<Ask>& asks) {
  // k mod 20: 0 payment failed (held again), 1 pending payment, 2-3 cancelled, else confirmed.
  for (int k : {0, 1, 2, 3, 4, 5, 19, 20, 21, 22, 23, 24, 1001, 2502, 4003, 5000, 6999}) {
    asks.push_back({"/v1/bookings/b" + std::to_string(k), admin(k), k < 5});
  }
  asks.push_back({"/v1/bookings/b999999", admin(0)});    // none: 404
  asks.push_back({"/v1/bookings/b4", client(4, "c4")});  // the owner
  asks.push_back({"/v1/bookings/b4", client(4, "c7")});  // another client: 404
  asks.push_back({"/v1/bookings/b4", staff(4)});         // staff of its site
  asks.push_back({"/v1/bookings/b4", staff(1)});         // staff of the other site: 404
  asks.push_back({"/v1/bookings/b4", admin(0)});         // another tenant: 404
}

void add_agendas(std::vector<Ask>& asks) {
  for (int k = 0; k < kStaff; ++k) {
    const std::string staff_id = "st" + std::to_string(k);
    asks.push_back({"/v1/staff/" + staff_id + "/agenda?from=2026-03-02&days=7", staff(k)});
    asks.push_back({"/v1/staff/" + staff_id + "/agenda?from=2026-05-11&days=3", admin(k)});
  }
  asks.push_back({"/v1/staff/st0/agenda?from=2026-03-03&days=1", staff(0), true});
  asks.push_back(
      {"/v1/staff/st3/agenda?from=2026-04-06&days=14&include_cancelled=false", admin(0)});
  asks.push_back({"/v1/staff/st0/agenda", admin(0)});  // the week from the clock's today
  asks.push_back({"/v1/staff/st0/agenda.ics", staff(0)});
}

void add_availability(std::vector<Ask>& asks) {
  for (int t = 0; t < kTenants; ++t) {
    for (const std::string site : {"s0", "s1"}) {
      const std::string query = "/v1/availability?site_id=" + site + "&service_id=consult";
      asks.push_back({query + "&from=2026-03-02&days=3", client(t, "c1")});
      asks.push_back({query + "&from=2026-06-29&days=5", client(t, "c1")});
    }
  }
  asks.push_back(
      {"/v1/availability?site_id=s1&service_id=consult&staff_id=st3&from=2026-07-06"
       "&days=2",
       client(0, "c3"), true});
  asks.push_back(
      {"/v1/availability?site_id=s0&skill=general&duration_min=60&from=2026-03-09", admin(1)});
  asks.push_back({"/v1/availability?site_id=s0&service_id=consult", client(2, "c2")});
}

void add_kpis(std::vector<Ask>& asks) {
  for (int t = 0; t < kTenants; ++t) {
    // Every event is recorded on 2026-02-22 (Lima), the clock's today; the slots come after.
    asks.push_back({"/v1/kpis", admin(t), t == 0});
    asks.push_back({"/v1/kpis?from=2026-03-02&days=7", admin(t)});
    asks.push_back({"/v1/sites/s0/kpis?from=2026-02-22&days=14", admin(t)});
    asks.push_back({"/v1/sites/s1/kpis?from=2026-03-02&days=120&per_day=false", admin(t)});
  }
}

void add_invoices(std::vector<Ask>& asks) {
  for (int t = 0; t < kTenants; ++t) {
    asks.push_back({"/v1/invoices?limit=20", admin(t)});
    asks.push_back({"/v1/invoices?limit=20&page_token=1000", admin(t)});
    asks.push_back({"/v1/invoices/F001-00000001", admin(t), t == 0});
    asks.push_back({"/v1/invoices/F001-00000777", admin(t)});
    asks.push_back({"/v1/invoices/F001-NC-00000001", admin(t), t == 0});
    asks.push_back({"/v1/invoices/F001-NC-00000099", admin(t)});
  }
  asks.push_back({"/v1/invoices?booking_id=b2", admin(2)});
  asks.push_back({"/v1/invoices?client_id=c4&limit=5", admin(1)});
  asks.push_back({"/v1/invoices", client(1, "c4")});             // their own only
  asks.push_back({"/v1/invoices/F001-00000001.pdf", admin(0)});  // see without_pdf_creation_date
  asks.push_back({"/v1/invoices/F001-99999999", admin(0)});      // none: 404
}

void add_client_histories(std::vector<Ask>& asks) {
  for (const std::string id : {"c4", "c7", "c22", "c4999"}) {
    for (int t = 0; t < kTenants; ++t) {
      asks.push_back({"/v1/clients/" + id + "/bookings", admin(t)});
    }
  }
  // A client has one booking a tenant at most: c<k> books k and k + 5000 (another tenant).
  asks.push_back({"/v1/clients/c4/bookings?limit=1", client(4, "c4"), true});
  asks.push_back({"/v1/clients/c4/bookings", client(4, "c7")});  // someone else's: 404
}

void add_catalog(std::vector<Ask>& asks) {
  for (int t = 0; t < kTenants; ++t) {
    asks.push_back({"/v1/sites", client(t, "c1"), t == 0});
    asks.push_back({"/v1/services", client(t, "c1"), t == 0});
    asks.push_back({"/v1/staff", client(t, "c1"), t == 0});
  }
  asks.push_back({"/v1/sites/s1", admin(0)});
  asks.push_back({"/v1/services/consult", staff(3)});
  asks.push_back({"/v1/services?site_id=s1&skill=general", client(1, "c1")});
  asks.push_back({"/v1/staff?site_id=s1&service_id=consult", client(2, "c1")});
  asks.push_back({"/v1/staff/st3", client(0, "c1")});
  asks.push_back({"/v1/staff?limit=1", admin(1)});
}

std::vector<Ask> requests() {
  std::vector<Ask> asks;
  for (auto add : {add_bookings, add_agendas, add_availability, add_kpis, add_invoices,
                   add_client_histories, add_catalog}) {
    add(asks);
  }
  return asks;
}

// cairo stamps every PDF with the wall clock ("/CreationDate (D:20261203081500Z)", cairo
// 1.16 reads no SOURCE_DATE_EPOCH); that value alone is left out of the PDF's hash.
std::string without_pdf_creation_date(std::string body) {
  constexpr std::string_view kKey = "/CreationDate (";
  const std::size_t start = body.find(kKey);
  if (start == std::string::npos) return body;
  const std::size_t end = body.find(')', start + kKey.size());
  if (end != std::string::npos) body.erase(start + kKey.size(), end - start - kKey.size());
  return body;
}

// One JSON member or element a line, indented, so that a drift reads well in a diff.
std::string indented(std::string_view json) {
  std::string out;
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  auto newline = [&] { out += '\n' + std::string(2 * depth, ' '); };
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      in_string = escaped || c != '"';
      escaped = !escaped && c == '\\';
      continue;
    }
    const bool opens = c == '{' || c == '[';
    const bool closes = c == '}' || c == ']';
    const bool after_open = i > 0 && (json[i - 1] == '{' || json[i - 1] == '[');
    const bool before_close = i + 1 < json.size() && (json[i + 1] == '}' || json[i + 1] == ']');
    if (closes && !after_open) {
      --depth;
      newline();
    }
    out += c;
    in_string = c == '"';
    if (opens && !before_close) {
      ++depth;
      newline();
    }
    if (c == ',') newline();
  }
  return out;
}

struct Answer {
  std::string request;  // METHOD target caller
  std::string outcome;  // status sha256(body)
  Reply reply;
};

Answer ask(TestServer& server, const Ask& asked) {
  const Caller& who = asked.caller;
  const std::string token = server.token(who.role, who.tenant, who.subject, who.site,
                                         who.role == v1::ROLE_STAFF ? who.subject : "");
  Reply reply = server.get(asked.target, token);
  const bool pdf = reply.header("Content-Type") == "application/pdf";
  const Hash hash = sha256(pdf ? without_pdf_creation_date(reply.body) : reply.body);
  return {"GET " + asked.target + " " + who.label(),
          std::to_string(reply.status) + " " + to_hex(hash), std::move(reply)};
}

// The digests of a second set of views folded from the same log (the same events give the
// same state: projections/README.md), a line "digest <view> <sha256>" each.
std::string view_digests(TestServer& server) {
  std::vector<std::string> report;
  auto side = projections::QuerySide::open({}, report);
  REQUIRE(side.is_ok());
  side.value()->start_embedded(server.log());
  REQUIRE(side.value()->wait_until_applied(server.log().last_seq(), kFoldTimeout));
  std::string lines = "digest log " + std::to_string(server.last_seq()) + " " +
                      to_hex(server.log().last_hash()) + "\n";  // the head of the chain
  for (std::string_view name : projections::view_names()) {
    Result<Hash> digest = side.value()->digest(name);
    REQUIRE(digest.is_ok());
    lines += "digest " + std::string(name) + " " + to_hex(digest.value()) + "\n";
  }
  return lines;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The lines of `text` that start with `prefix`, split after their first `key_fields` fields:
// "GET /v1/sites client:t0/c1" -> "200 <sha256>".
using Outcomes = std::map<std::string, std::string>;
Outcomes outcomes_in(const std::string& text, std::string_view prefix, int key_fields) {
  Outcomes out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::size_t cut = 0;
    for (int field = 0; field < key_fields && cut != std::string::npos; ++field) {
      cut = line.find(' ', cut + 1);
    }
    out[line.substr(0, cut)] = cut == std::string::npos ? "" : line.substr(cut + 1);
  }
  return out;
}

// history_bodies.txt: "=== <request> <status>" lines, each followed by its indented body.
Outcomes kept_bodies_in(const std::string& text) {
  Outcomes out;
  std::string heading;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("=== ", 0) == 0) {
      heading = line.substr(4);
      out[heading];
    } else {
      out[heading] += "\n" + line;
    }
  }
  return out;
}

// Reports each request whose outcome differs (or is only on one side); a failure when
// `failure`, else a warning.
void compare(const Outcomes& expected, const Outcomes& actual,
             const std::map<std::string, std::string>& bodies, bool failure) {
  std::set<std::string> requests;
  for (const auto& entry : expected) requests.insert(entry.first);
  for (const auto& entry : actual) requests.insert(entry.first);
  for (const std::string& request : requests) {
    const auto want = expected.find(request);
    const auto got = actual.find(request);
    if (want != expected.end() && got != actual.end() && want->second == got->second) continue;
    std::string report = "request:  " + request;
    report += "\nexpected: " + (want == expected.end() ? "(not in the golden file)" : want->second);
    report += "\nactual:   " + (got == actual.end() ? "(no longer asked)" : got->second);
    if (const auto body = bodies.find(request); body != bodies.end()) {
      report += "\nactual body:\n" + body->second.substr(0, kBodyPrintBytesMax);
    }
    if (failure) {
      FAIL_CHECK(report);
    } else {
      MESSAGE("view state encoding changed (a warning, not a failure):\n" << report);
    }
  }
}

bool updating() {
  const char* update = std::getenv("TURNO_GOLDEN_UPDATE");
  return update != nullptr && std::string_view(update) == "1";
}

}  // namespace

TEST_CASE("the API answers the history workload as the golden files say") {
  TestServer server;
  server.clock().set(bench::kWorkloadNowMs);  // the workload's clock, which stands still
  bench::WorkloadOptions workload;
  workload.events_min = kEventsMin;
  workload.wave_bookings = kWaveBookings;
  const Status written = bench::write_workload(server.api().engine().writer(), workload);
  REQUIRE_MESSAGE(written.is_ok(), written.message());
  server.wait_for_views();

  std::string answers_text =
      "# The API's answers on the history workload (tests/golden/history_answers_test.cc).\n"
      "# Rewrite: TURNO_GOLDEN_UPDATE=1 build/tests/golden/golden_history_test\n"
      "# METHOD target caller status sha256(body)\n";
  std::string bodies_text;
  std::map<std::string, std::string> bodies;  // by request
  std::set<std::string> statuses;
  const std::vector<Ask> asks = requests();
  for (const Ask& asked : asks) {
    const Answer answer = ask(server, asked);
    answers_text += answer.request + " " + answer.outcome + "\n";
    const bool pdf = answer.reply.header("Content-Type") == "application/pdf";
    bodies[answer.request] = pdf ? "(a PDF, not shown)" : answer.reply.body;
    if (asked.keep_body) {
      bodies_text += "=== " + answer.request + " " + std::to_string(answer.reply.status) + "\n" +
                     indented(answer.reply.body) + "\n";
    }
    if (asked.target.rfind("/v1/bookings/", 0) == 0 && answer.reply.status == 200) {
      statuses.insert(answer.reply.text("/status"));
    }
  }
  CHECK(bodies.size() == asks.size());  // no request asked twice
  // Every status the workload's bookings reach, so that the sample covers each.
  CHECK(statuses == std::set<std::string>{"cancelled", "confirmed", "held", "pending_payment"});
  answers_text +=
      "# The log's head and the views' digests: a change is reported as a warning only.\n" +
      view_digests(server);

  if (updating()) {
    std::ofstream(kAnswersPath, std::ios::binary) << answers_text;
    std::ofstream(kBodiesPath, std::ios::binary) << bodies_text;
    MESSAGE("rewrote " << kAnswersPath << " and " << kBodiesPath);
    return;
  }
  const std::string expected = read_file(kAnswersPath);
  REQUIRE_MESSAGE(!expected.empty(), "no golden file " << kAnswersPath);
  compare(outcomes_in(expected, "GET ", 3), outcomes_in(answers_text, "GET ", 3), bodies, true);
  compare(outcomes_in(expected, "digest ", 2), outcomes_in(answers_text, "digest ", 2), {}, false);
  compare(kept_bodies_in(read_file(kBodiesPath)), kept_bodies_in(bodies_text), {}, true);
}
