// The history subcommands end to end, through the real `turno` binary: export in every
// format, verify (exit status 0, or 1 with the first bad seq; authenticated with the key
// `turno signing-key` publishes, or plainly not), replay to stdout and to a nats-server of the
// test's own, snapshot on demand.
#include <doctest/doctest.h>
#include <nats/nats.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "history_fixture.h"
#include "nats_server.h"
#include "rebuild.h"

using namespace turno;
using namespace turno::testing;

namespace {

struct Run {
  int status = -1;
  std::string out;
};

// Runs `turno ARGS` (stderr to /dev/null unless asked), returns its exit status and stdout.
Run run_turno(const std::string& arguments, bool keep_stderr = false) {
  const std::string command =
      std::string(TURNO_BINARY) + " " + arguments + (keep_stderr ? " 2>&1" : " 2>/dev/null");
  Run run;
  std::FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    run.out.append(buffer, n);
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

natsConnection* connect_with_retries(const std::string& url) {
  natsConnection* connection = nullptr;
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (natsConnection_ConnectTo(&connection, url.c_str()) == NATS_OK) return connection;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("nats-server did not start");
  return nullptr;
}

}  // namespace

TEST_CASE("turno export and turno verify round trip in every format, and catch tampering") {
  HistoryFixture history(200);
  const std::string data = history.log_path();
  const std::uint64_t tail = history.log().last_seq().value;
  history.close();
  REQUIRE(run_turno("verify --data " + data).status == 0);
  for (const std::string format : {"jsonl", "csv", "protobuf"}) {
    INFO(format);
    const std::string file = data + "/../export." + format;
    REQUIRE(run_turno("export --data " + data + " --format " + format + " --out " + file).status ==
            0);
    const Run verified = run_turno("verify --file " + file);
    CHECK(verified.status == 0);
    CHECK(verified.out.find("OK: " + std::to_string(tail) + " records") != std::string::npos);
    CHECK(verified.out.find("covers seq 1-" + std::to_string(tail) + " (1 run)") !=
          std::string::npos);
    const Run anchored = run_turno("verify --file " + file + " --data " + data);
    CHECK(anchored.status == 0);
    CHECK(anchored.out.find("anchored") != std::string::npos);
  }
  // jsonl, tampered: a line removed (seq 17).
  const std::string file = data + "/../export.jsonl";
  std::string text = read_file(file);
  std::size_t at = 0;
  for (int line = 1; line < 17; ++line) at = text.find('\n', at) + 1;
  text.erase(at, text.find('\n', at) + 1 - at);
  write_file(file, text);
  const Run tampered = run_turno("verify --file " + file);
  CHECK(tampered.status == 1);
  CHECK(tampered.out.find("record 17 is missing") != std::string::npos);
  CHECK(tampered.out.find("first bad seq: 17") != std::string::npos);
}

TEST_CASE("turno export filters, and the filtered export verifies with its ranges") {
  HistoryFixture history(300);
  const std::string data = history.log_path();
  history.close();
  const Run exported = run_turno("export --data " + data + " --tenant t2 --type slot_held");
  REQUIRE(exported.status == 0);
  const std::string file = data + "/../t2.jsonl";
  write_file(file, exported.out);
  const Run verified = run_turno("verify --file " + file);
  CHECK(verified.status == 0);
  CHECK(verified.out.find("filter: tenant=t2 type=slot_held") != std::string::npos);
  CHECK(verified.out.find("runs)") != std::string::npos);
  CHECK(exported.out.find("\"tenantId\":\"t1\"") == std::string::npos);
  CHECK(run_turno("export --data " + data + " --type no_such_event").status == 2);
  CHECK(run_turno("export --data " + data + " --since yesterday").status == 2);
  CHECK(run_turno("export").status == 2);
}

TEST_CASE("turno signing-key publishes the key that verify --public-key checks exports with") {
  HistoryFixture history(150);
  HistoryFixture other(10);
  const std::string data = history.log_path();
  const std::string files = history.data_path();
  history.close();
  other.close();
  const Run published = run_turno("signing-key --data " + data);
  REQUIRE(published.status == 0);
  CHECK(published.out.starts_with("-----BEGIN PUBLIC KEY-----"));
  write_file(files + "/node.pem", published.out);
  REQUIRE(run_turno("signing-key --data " + other.log_path()).status == 0);
  write_file(files + "/other.pem", run_turno("signing-key --data " + other.log_path()).out);
  const std::string private_key = read_file(data + "/export_signing_key.pem");
  REQUIRE(private_key.starts_with("-----BEGIN PRIVATE KEY-----"));
  const std::string private_body = private_key.substr(private_key.find('\n') + 1, 40);
  struct stat info {};
  REQUIRE(::stat((data + "/export_signing_key.pem").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  const std::string fingerprint = run_turno("signing-key --data " + data, true).out;

  for (const std::string format : {"jsonl", "csv", "protobuf"}) {
    INFO(format);
    const std::string file = files + "/signed." + format;
    REQUIRE(run_turno("export --data " + data + " --format " + format + " --out " + file).status ==
            0);
    CHECK(read_file(file).find(private_body) == std::string::npos);
    const Run authentic =
        run_turno("verify --file " + file + " --public-key " + files + "/node.pem");
    CHECK(authentic.status == 0);
    CHECK(authentic.out.find("authentic: the summary is signed by key") != std::string::npos);
    CHECK(authentic.out.find("gapless: every seq from 1 to") != std::string::npos);
    const Run unchecked = run_turno("verify --file " + file);
    CHECK(unchecked.status == 0);
    CHECK(unchecked.out.find("NOT AUTHENTICATED: no --public-key given") != std::string::npos);
    const Run with_data = run_turno("verify --file " + file + " --data " + data);
    CHECK(with_data.status == 0);
    CHECK(with_data.out.find("the node's key in " + data) != std::string::npos);
    const Run wrong_key =
        run_turno("verify --file " + file + " --public-key " + files + "/other.pem");
    CHECK(wrong_key.status == 1);
    CHECK(wrong_key.out.find("FAILED: the export summary is signed by key") != std::string::npos);
  }
  CHECK(fingerprint.find("fingerprint") != std::string::npos);
  CHECK(run_turno("verify --file " + files + "/signed.jsonl --public-key " + files + "/none.pem")
            .status == 2);
  CHECK(run_turno("signing-key").status == 2);
  CHECK(run_turno("signing-key --data " + files + "/nothing-here").status == 1);

  // Cut inside record 40: named by its seq.
  const std::string text = read_file(files + "/signed.jsonl");
  std::size_t at = 0;
  for (int line = 1; line < 40; ++line) at = text.find('\n', at) + 1;
  write_file(files + "/cut.jsonl", text.substr(0, at + 30));
  const Run cut = run_turno("verify --file " + files + "/cut.jsonl");
  CHECK(cut.status == 1);
  CHECK(cut.out.find("first bad seq: 40") != std::string::npos);
}

TEST_CASE("turno replay streams to stdout, paced or not, and to NATS subjects") {
  HistoryFixture history(150);
  const std::string data = history.log_path();
  const std::uint64_t tail = history.log().last_seq().value;
  history.close();
  const Run all = run_turno("replay --data " + data);
  REQUIRE(all.status == 0);
  CHECK(count_lines(all.out) == tail);
  const Run some = run_turno("replay --data " + data + " --from-seq 10 --to-seq 19 --rate 1000/s");
  REQUIRE(some.status == 0);
  CHECK(count_lines(some.out) == 10);
  CHECK(some.out.find("\"seq\":\"10\"") != std::string::npos);
  CHECK(run_turno("replay --data " + data + " --rate fast").status == 2);

  TempDir nats_store;
  NatsServer server(nats_store.path());
  REQUIRE(server.start());
  natsConnection* connection = connect_with_retries(server.url());
  natsSubscription* subscription = nullptr;
  REQUIRE(natsConnection_SubscribeSync(&subscription, connection, "analytics.>") == NATS_OK);
  REQUIRE(natsConnection_Flush(connection) == NATS_OK);
  const Run published = run_turno("replay --data " + data + " --to " + server.url() +
                                  " --subject analytics --type slot_held");
  REQUIRE(published.status == 0);
  int received = 0;
  natsMsg* message = nullptr;
  while (natsSubscription_NextMsg(&message, subscription, 1000) == NATS_OK) {
    const std::string subject = natsMsg_GetSubject(message);
    CHECK(subject.starts_with("analytics.t"));
    CHECK(subject.ends_with(".slot_held"));
    const char* id = nullptr;
    CHECK(natsMsgHeader_Get(message, "Nats-Msg-Id", &id) == NATS_OK);
    natsMsg_Destroy(message);
    ++received;
  }
  natsSubscription_Destroy(subscription);
  natsConnection_Destroy(connection);
  const Run expected = run_turno("export --data " + data + " --type slot_held");
  CHECK(received == int(count_lines(expected.out)) - 1);  // minus the summary line
  CHECK(received > 0);
  CHECK(run_turno("replay --data " + data + " --to nats://127.0.0.1:1").status == 1);
}

TEST_CASE("turno snapshot takes one of a stopped log, and lists them") {
  HistoryFixture history(200);
  const std::string data = history.log_path();
  const std::uint64_t tail = history.log().last_seq().value;
  history.close();
  const Run taken = run_turno("snapshot --data " + data);
  REQUIRE(taken.status == 0);
  CHECK(taken.out.find("snapshot at seq " + std::to_string(tail) + " (from a full replay") !=
        std::string::npos);
  const Run again = run_turno("snapshot --data " + data);
  CHECK(again.out.find("from the snapshot at seq " + std::to_string(tail) + ", 0 events") !=
        std::string::npos);
  const Run listed = run_turno("snapshot --data " + data + " --list");
  CHECK(listed.status == 0);
  CHECK(listed.out.find("seq " + std::to_string(tail) + ": ") != std::string::npos);
  CHECK(listed.out.find("valid") != std::string::npos);
}

TEST_CASE("turno replay --as-of rebuilds every view as of an instant into a new directory") {
  HistoryFixture history(200);
  const std::string data = history.log_path();
  projections::RebuildOptions everything;
  Result<projections::RebuildResult> full = projections::rebuild_views(history.log(), everything);
  REQUIRE(full.is_ok());
  history.close();
  const std::string into = data + "/../as-of";
  // The workload's clock stands still: every event is recorded at kWorkloadNowMs.
  const Run now = run_turno("replay --data " + data + " --as-of " +
                            std::to_string(bench::kWorkloadNowMs) + " --into " + into);
  REQUIRE(now.status == 0);
  for (const auto& view : full.value().views) {
    INFO(view->name());
    CHECK(now.out.find(std::string(view->name()) + ": seq " +
                       std::to_string(full.value().last_seq.value) + ", digest " +
                       to_hex(view->digest())) != std::string::npos);
    CHECK(std::filesystem::exists(into + "/views/" + std::string(view->name())));
  }
  const Run before =
      run_turno("replay --data " + data + " --as-of 2020-01-01T00:00:00Z --into " + into);
  REQUIRE(before.status == 0);
  CHECK(before.out.find("0 events (up to seq 0)") != std::string::npos);
  CHECK(run_turno("replay --data " + data + " --as-of 2020-01-01T00:00:00Z").status == 2);
}

TEST_CASE("turno repair restores a lost log from a backup, and only then does it verify") {
  HistoryFixture history(300);
  const std::string data = history.log_path();
  const std::string backup = history.data_path() + "/backup";
  const std::uint64_t tail = history.log().last_seq().value;
  history.close();
  REQUIRE(run_turno("backup --data " + data + " --to " + backup).status == 0);
  const Run intact = run_turno("repair --data " + data + " --from-backup " + backup);
  CHECK(intact.status == 0);
  CHECK(intact.out.find("\"changed\":false") != std::string::npos);

  // The database's files are gone; the head anchors beside them remember the history.
  for (const auto& entry : std::filesystem::directory_iterator(data)) {
    if (entry.path().filename() != "heads") std::filesystem::remove_all(entry.path());
  }
  CHECK(run_turno("verify --data " + data).status == 1);
  CHECK(run_turno("repair").status == 2);
  CHECK(run_turno("repair --data " + data + " --from-backup " + data + "/../nowhere").status == 1);
  const Run repaired = run_turno("repair --data " + data + " --from-backup " + backup);
  REQUIRE(repaired.status == 0);
  CHECK(repaired.out.find("\"changed\":true") != std::string::npos);
  CHECK(repaired.out.find("\"restored_to\":" + std::to_string(tail)) != std::string::npos);
  const Run verified = run_turno("verify --data " + data);
  CHECK(verified.status == 0);
  CHECK(verified.out.find(std::to_string(tail)) != std::string::npos);
}

TEST_CASE("turno rebuild folds the views from the log, and refuses what it cannot do") {
  HistoryFixture history(300);
  const std::string data = history.log_path();
  const std::string out = history.data_path() + "/as-of";
  const std::uint64_t tail = history.log().last_seq().value;
  history.close();
  const Run all = run_turno("rebuild --data " + data);
  REQUIRE(all.status == 0);
  CHECK(all.out.find("agenda: seq " + std::to_string(tail) + ", digest ") != std::string::npos);
  CHECK(all.out.find("up to seq " + std::to_string(tail)) != std::string::npos);
  // Again: each view now replaces one the first run wrote, and must equal it.
  const Run again = run_turno("rebuild --data " + data + " --view agenda,kpis");
  REQUIRE(again.status == 0);
  CHECK(again.out.find("kpis: seq " + std::to_string(tail)) != std::string::npos);
  CHECK(again.out.find("(equal to the maintained view it replaced)") != std::string::npos);
  CHECK(again.out.find("DIFFERENT") == std::string::npos);

  const Run past =
      run_turno("rebuild --data " + data + " --view agenda --as-of-seq 100 --out " + out);
  REQUIRE(past.status == 0);
  CHECK(past.out.find("agenda: seq 100, digest ") != std::string::npos);
  CHECK(past.out.find(out + "/views") != std::string::npos);

  CHECK(run_turno("rebuild").status == 2);
  CHECK(run_turno("rebuild --data " + data + " --as-of-seq 100").status == 2);  // needs --out
  CHECK(run_turno("rebuild --data " + data + " --as-of-seq ten --out " + out).status == 2);
  CHECK(run_turno("rebuild --data " + data + " --as-of yesterday --out " + out).status == 2);
  CHECK(run_turno("rebuild --data " + data + " --view no_such_view").status == 1);
  CHECK(run_turno("rebuild --data " + data + "/../nowhere").status == 1);
}
