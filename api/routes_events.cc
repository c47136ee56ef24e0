// History over HTTP (auditor and platform roles): GET /v1/events, the log's events as the JSON
// lines of `turno export` with the same filters, each page's summary signed with the node's
// key; GET /v1/events/signing-key, that key's public half; GET /v1/events/verify, the chain
// check. The key is a history::SigningKey the server provides (Api::provide); without one,
// pages are unsigned and the key route answers 503.
//
// Until the server can stream a response body, both answer in bounded pages so that neither
// the memory of a response nor the time it holds an I/O thread grows with the log: a page of
// /v1/events is itself a complete export of the range it scanned (it ends with its summary
// and verifies with `turno verify --file`), and `Turno-Next-From-Seq` names where the next
// page starts; /v1/events/verify checks at most kVerifyRecordsMax records per call, each
// range chained to the one before, so consecutive calls check the whole chain.
#include <fmt/format.h>

#include <charconv>

#include "api.h"
#include "history_export.h"
#include "history_signing.h"
#include "history_verify.h"
#include "json_writer.h"
#include "query_string.h"
#include "route_groups.h"
#include "shard_routing.h"

namespace turno::api {
namespace {

constexpr std::string_view kJsonLinesType = "application/x-ndjson";
constexpr std::string_view kNextFromSeqHeader = "Turno-Next-From-Seq";
constexpr std::uint64_t kPageRecordsDefault = 1'000;
constexpr std::uint64_t kPageRecordsMax = 10'000;
constexpr std::uint64_t kPageScannedMax = 100'000;
constexpr std::uint64_t kVerifyRecordsMax = 100'000;

// An auditor sees their own tenant only; the platform sees every tenant.
std::optional<Problem> restrict_to_tenant(const Principal& who, history::EventFilter& filter) {
  if (who.role != v1::ROLE_AUDITOR) return std::nullopt;
  for (const std::string& tenant : filter.tenants) {
    if (tenant != who.tenant) {
      return make_problem(http::status::forbidden, "forbidden",
                          "an auditor reads their own tenant's events only", "tenant");
    }
  }
  filter.tenants = {who.tenant};
  return std::nullopt;
}

struct PageRequest {
  history::EventFilter filter;
  std::uint64_t limit = kPageRecordsDefault;
};

std::variant<PageRequest, Problem> page_request(const Call& call) {
  auto parsed = query_parameters(call.request.target());
  if (auto* problem = std::get_if<Problem>(&parsed)) return *problem;
  PageRequest page;
  for (const auto& [name, value] : std::get<QueryParameters>(parsed)) {
    if (name == "limit") {
      const std::optional<std::uint64_t> limit = whole_number(value);
      if (!limit || *limit == 0 || *limit > kPageRecordsMax) {
        return make_problem(http::status::bad_request, "validation",
                            fmt::format("limit is 1 to {}", kPageRecordsMax), "limit");
      }
      page.limit = *limit;
    } else if (Status status = page.filter.set(name, value); !status.is_ok()) {
      return make_problem(http::status::bad_request, "validation", status.message(), name);
    }
  }
  if (auto problem = restrict_to_tenant(call.who(), page.filter)) return *problem;
  return page;
}

void list_events(Call& call) {
  auto request = page_request(call);
  if (auto* problem = std::get_if<Problem>(&request)) return call.respond(*problem);
  const PageRequest& page = std::get<PageRequest>(request);
  // A sharded node's log holds its own tenants only: the others' history is on their shard.
  if (!call.who().tenant.empty() && answer_if_not_owned(call, call.who().tenant)) return;
  std::string body;
  Result<v1::ExportSummary> summary = history::export_history(
      call.api.engine().log(), page.filter, history::Format::kJsonl,
      [&](std::string_view bytes) {
        body += bytes;
        return Status::ok();
      },
      {}, history::ExportLimits{page.limit, kPageScannedMax}, call.api.find<history::SigningKey>());
  if (!summary.is_ok()) {
    return call.respond(make_problem(http::status::internal_server_error, "log_corrupt",
                                     summary.status().message()));
  }
  Response response = make_response(http::status::ok, kJsonLinesType, std::move(body));
  const std::uint64_t scanned_to = summary.value().to_seq();
  if (scanned_to < std::min(page.filter.to_seq.value, summary.value().head_seq())) {
    response.set(kNextFromSeqHeader, std::to_string(scanned_to + 1));
  }
  call.respond(std::move(response));
}

void signing_key(Call& call) {
  const history::SigningKey* key = call.api.find<history::SigningKey>();
  if (key == nullptr) {
    return call.respond(make_problem(http::status::service_unavailable, "signing_key_unavailable",
                                     "this node has no export signing key"));
  }
  JsonWriter json;
  json.begin_object()
      .field("algorithm", "Ed25519")
      .field("fingerprint", key->public_key().fingerprint())
      .field("publicKeyPem", key->public_key().pem())
      .end_object();
  call.respond(json_response(http::status::ok, json.take()));
}

void verify_events(Call& call) {
  auto parsed = query_parameters(call.request.target());
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  Seq from{1};
  const EventLog& log = call.api.engine().log();
  Seq to = log.last_seq();
  for (const auto& [name, value] : std::get<QueryParameters>(parsed)) {
    const std::optional<std::uint64_t> seq = whole_number(value);
    if ((name != "from-seq" && name != "to-seq") || !seq) {
      return call.respond(make_problem(http::status::bad_request, "validation",
                                       "from-seq and to-seq are whole numbers", name));
    }
    (name == "from-seq" ? from : to) = Seq{*seq};
  }
  from = Seq{std::max<std::uint64_t>(from.value, 1)};
  const Seq head = log.last_seq();
  const Seq last = std::min({to, head, Seq{from.value + kVerifyRecordsMax - 1}});
  const history::LogCheck check = history::verify_log(log, from, last);
  JsonWriter json;
  json.begin_object()
      .field("ok", check.status.is_ok())
      .field("logId", log.log_id())
      .field("fromSeq", from.value)
      .field("records", check.records)
      .field("headSeq", head.value);
  if (check.status.is_ok()) {
    json.field("toSeq", last.value).field("lastHash", to_hex(check.last_hash));
    if (last < std::min(to, head)) json.field("nextFromSeq", last.value + 1);
  } else {
    json.field("firstBadSeq", check.first_bad_seq.value_or(Seq{}).value)
        .field("problem", check.status.message());
  }
  json.end_object();
  call.respond(json_response(http::status::ok, json.take()));
}

}  // namespace

void add_events_routes(RouteTable& table) {
  const RoleSet auditors = roles({v1::ROLE_AUDITOR, v1::ROLE_PLATFORM});
  table.add({http::verb::get, "/v1/events", auditors, list_events});
  table.add({http::verb::get, "/v1/events/verify", auditors, verify_events});
  table.add({http::verb::get, "/v1/events/signing-key", auditors, signing_key});
}

}  // namespace turno::api
