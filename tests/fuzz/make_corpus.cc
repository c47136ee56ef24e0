// Writes the seed corpus of every fuzz target (targets.h) into DIR/<target>/seed-*: valid
// inputs of each kind, from a small real log (the history benchmark's workload), so the
// fuzzers start from deep inside the parsers. Run by hand after a format changes:
//   build/tests/fuzz/fuzz_make_corpus tests/fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "crypto.h"
#include "engine.h"
#include "fuzz_input.h"
#include "history_export.h"
#include "history_workload.h"
#include "jwt.h"
#include "log_format.h"
#include "model_codec.h"
#include "model_snapshots.h"
#include "targets.h"
#include "views.h"
#include "write_model.pb.h"

namespace turno::fuzz {
namespace {

constexpr std::string_view kSecret = "fuzz-secret";  // as in jwt.cc
const std::string kSep(1, kFieldSeparator);

class Corpus {
 public:
  explicit Corpus(std::filesystem::path root) : root_(std::move(root)) {}
  void add(std::string_view target, std::string_view bytes) {
    const std::filesystem::path folder = root_ / std::string(target);
    std::filesystem::create_directories(folder);
    const int number = ++counts_[std::string(target)];
    std::ofstream(folder / ("seed-" + std::to_string(number)), std::ios::binary) << bytes;
  }

 private:
  std::filesystem::path root_;
  std::map<std::string, int> counts_;
};

std::string byte(unsigned value) {
  return std::string(1, static_cast<char>(value));
}

void add_log_seeds(Corpus& corpus, const EventLog& log) {
  LogCursor cursor = log.read(Seq{1});
  while (cursor.next()) {
    const LogRecord& record = cursor.record();
    const std::string value =
        std::string(reinterpret_cast<const char*>(record.hash.data()), record.hash.size()) +
        record.envelope_bytes;
    if (record.seq.value <= 9 && record.seq.value % 2 == 1) {
      corpus.add("log_record", byte(static_cast<unsigned>(record.seq.value)) + value);
    } else if (record.seq.value <= 8) {
      corpus.add("log_record", byte(0) + log_format::encode_u64(record.seq.value) + kSep + value);
    }
  }
  VERIFY(cursor.status().is_ok(), "the workload log reads");

  ModelLoadReport report;
  Result<Model> model = load_model(log, nullptr, report);
  VERIFY(model.is_ok(), "the workload's model loads");
  v1::ModelSnapshot image;
  image.set_log_id(log.log_id());
  image.set_seq(log.last_seq().value);
  const Hash hash = log.last_hash();
  image.set_log_hash(std::string(reinterpret_cast<const char*>(hash.data()), hash.size()));
  *image.mutable_model() = encode_model(model.value());
  image.set_format(kModelSnapshotFormat);
  corpus.add("model_snapshot", image.SerializeAsString());

  const auto& names = projections::view_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto view = projections::make_view(names[i]);
    LogCursor events = log.read(Seq{1});
    while (events.next()) view->apply(events.record().envelope);
    corpus.add("view_snapshot", byte(static_cast<unsigned>(i)) + view->encode());
    corpus.add("view_snapshot",
               byte(static_cast<unsigned>(i)) + projections::make_view(names[i])->encode());
  }

  const history::Format formats[] = {history::Format::kJsonl, history::Format::kCsv,
                                     history::Format::kProtobuf};
  for (unsigned f = 0; f < 3; ++f) {
    for (const bool filtered : {false, true}) {
      history::EventFilter filter;
      if (filtered) VERIFY(filter.set("type", "slot_held").is_ok(), "a type filter");
      std::string out;
      const auto summary =
          history::export_history(log, filter, formats[f], [&](std::string_view bytes) {
            out.append(bytes);
            return Status::ok();
          });
      VERIFY(summary.is_ok(), "the workload exports");
      corpus.add("export_verify", byte(f) + out);
    }
  }
}

void add_log_based_seeds(Corpus& corpus) {
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() / "turno-fuzz-corpus-log";
  std::filesystem::remove_all(directory);
  ManualClock clock(bench::kWorkloadNowMs);
  EngineOptions options;
  options.log.sync = false;
  auto engine = Engine::open(directory.string(), clock, options);
  VERIFY(engine.is_ok(), "a fresh log opens");
  bench::WorkloadOptions workload;
  workload.events_min = 40;
  workload.tenants = 1;
  workload.sites_per_tenant = 1;
  workload.wave_bookings = 8;
  VERIFY(bench::write_workload(engine.value()->writer(), workload).is_ok(), "the workload");
  engine.value()->stop();
  add_log_seeds(corpus, engine.value()->log());
  engine.value().reset();
  std::filesystem::remove_all(directory);
}

void add_text_seeds(Corpus& corpus) {
  for (const char* text : {"/v1/availability?site_id=lima&service_id=consult&from=2026-03-03",
                           "/v1/events?tenant=t1&type=slot_held,payment_succeeded&from-seq=10",
                           "?a=%41%42&b=+c&&=&d", "12345", "0018446744073709551615"}) {
    corpus.add("query_string", text);
  }

  const api::Principal admin{"admin-1", "t1", v1::ROLE_ADMIN, "", "", 1'900'000'000};
  const api::Principal staff{"s-1", "t1", v1::ROLE_STAFF, "lima", "ana", 1'900'000'000};
  corpus.add("jwt", byte(0) + api::sign_hs256(admin, kSecret));
  corpus.add("jwt", byte(0) + api::sign_hs256(staff, kSecret));
  corpus.add("jwt", byte(1) + R"({"alg":"HS256","typ":"JWT"})" + kSep +
                        R"({"sub":"c1","tenant":"t1","role":"client","exp":1900000000,"nbf":1})");
  corpus.add("jwt", byte(1) + R"({"alg":"HS256"})" + kSep +
                        R"({"sub":"p","role":"platform","exp":1900000000})");

  corpus.add("ical", byte(6) + "Dr. Ana Núñez" + kSep + "Clínica Lima; Centro, Sede 1" + kSep +
                         byte(2) + "Consulta general" + kSep + "Perro \"Bobby\"\nsegundo" + kSep +
                         "Vacunación anual — 犬" + kSep + std::string(200, 'x'));
  corpus.add("ical", byte(0) + std::string(80, 'a') + "é" + kSep + "" + kSep + byte(1) +
                         std::string(150, '\\') + kSep + "");

  corpus.add("invoice_pdf", byte(0) + "Clínica Veterinaria Núñez" + kSep + "Sede Miraflores" +
                                kSep + "Av. Larco 123, Lima" + kSep + "Bobby" + kSep +
                                "Consulta general");
  corpus.add("invoice_pdf", byte(5) + "" + kSep + "" + kSep + "" + kSep + "" + kSep + "");
  corpus.add("invoice_pdf", byte(2) + std::string(300, 'W') + kSep + "犬猫" + kSep + "(a) \\ b" +
                                kSep + "%PDF" + kSep + std::string(500, 'x'));
}

// A body per route that the seeded tenant accepts (or at least reads), and the caller to send.
struct RouteSeed {
  unsigned caller;  // as routes.cc counts them: 0 none, 1 platform, 2 admin, 3 staff, 4 client,
                    // 5 auditor, 6 another tenant's admin
  std::string query;
  std::string body;
};

RouteSeed route_seed(std::string_view route) {
  static const std::map<std::string_view, RouteSeed> seeds = {
      {"POST /v1/tenants",
       {1, "",
        R"({"tenant_id":"t9","name":"Other","currency":"PEN","tax_rate_bp":1800,)"
        R"("invoice_series":"F009","platform_fee_bp":300})"}},
      {"POST /v1/sites",
       {2, "", R"({"site_id":"cusco","name":"Cusco","time_zone":"America/Lima"})"}},
      {"POST /v1/services",
       {2, "",
        R"({"service_id":"vax","name":"Vaccine","duration_min":15,"price_minor":3000,)"
        R"("required_skill":"gp"})"}},
      {"POST /v1/staff",
       {2, "", R"({"staff_id":"beto","site_id":"lima","name":"Beto","skills":["gp"]})"}},
      {"PUT /v1/staff/{id}/schedule",
       {2, "", R"({"intervals":[{"weekday":3,"start_min":540,"end_min":1020}]})"}},
      {"POST /v1/staff/{id}/time-off",
       {2, "", R"({"start":"2026-03-04T09:00:00-05:00","end":"2026-03-04T12:00:00-05:00"})"}},
      {"PUT /v1/policy",
       {2, "",
        R"({"hold_ttl_s":600,"free_cancel_window_min":1440,"late_cancel_refund_pct":40,)"
        R"("no_show_grace_min":15,"min_notice_min":0,"horizon_days":90,)"
        R"("prepayment_required":true,"slot_step_min":15})"}},
      {"POST /v1/holds",
       {4, "", R"({"site_id":"lima","service_id":"consult","start":"2026-03-03T11:00:00-05:00"})"}},
      {"POST /v1/bookings", {4, "", R"({"booking_id":"b1","provider":"sandbox"})"}},
      {"POST /v1/bookings/{id}/cancel", {4, "", R"({"reason":"ill"})"}},
      {"POST /v1/bookings/{id}/reschedule", {4, "", R"({"start":"2026-03-03T12:00:00-05:00"})"}},
      {"POST /v1/bookings/{id}/refund", {2, "", R"({"amount_minor":100,"reason":"goodwill"})"}},
      {"POST /v1/bookings/{id}/desk-payment", {2, "", R"({"amount_minor":5000,"method":"cash"})"}},
      {"PUT /v1/notifications/settings",
       {2, "", R"({"locale":"en","reminder_offsets_min":[1440,60]})"}},
      {"PUT /v1/notifications/contacts/{role}/{id}", {2, "", R"({"email":"x@example.com"})"}},
      {"PUT /v1/staff/{id}/profile", {2, "", R"({"name":"Dr. Ana","bio":"Vet"})"}},
      {"PUT /v1/sites/{id}", {2, "", R"({"name":"Lima Centro"})"}},
      {"PUT /v1/services/{id}", {2, "", R"({"name":"Consulta","price_minor":6000})"}},
      {"GET /v1/availability", {4, "site_id=lima&service_id=consult&from=2026-03-03", ""}},
      {"GET /v1/events", {5, "tenant=t1&format=jsonl&limit=10", ""}},
      {"GET /v1/events/verify", {5, "", ""}},
      {"GET /v1/staff/{id}/agenda", {2, "from=2026-03-02&days=7", ""}},
      {"GET /v1/staff/{id}/agenda.ics", {3, "", ""}},
      {"POST /v1/webhooks/payments/{provider}", {0, "", R"({"type":"payment.succeeded"})"}},
  };
  const auto found = seeds.find(route);
  if (found != seeds.end()) return found->second;
  const bool booking = route.find("/bookings") != std::string_view::npos ||
                       route.find("/sandbox") != std::string_view::npos;
  return {route.starts_with("GET /healthz") ? 0u : booking ? 4u : 2u, "", ""};
}

void add_route_seeds(Corpus& corpus) {
  const std::vector<std::string> names = route_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const RouteSeed seed = route_seed(names[i]);
    // Parameter choice 0: the held booking's id; 2: "lima"; 3: "ana".
    for (const unsigned param : {0u, 2u, 3u}) {
      corpus.add("routes", byte(static_cast<unsigned>(i)) + byte(seed.caller) + byte(param) +
                               seed.query + kSep + seed.body);
    }
  }
}

}  // namespace
}  // namespace turno::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_corpus DIR (tests/fuzz/corpus)\n");
    return 2;
  }
  turno::fuzz::Corpus corpus(argv[1]);
  turno::fuzz::add_text_seeds(corpus);
  turno::fuzz::add_log_based_seeds(corpus);
  turno::fuzz::add_route_seeds(corpus);
  return 0;
}
