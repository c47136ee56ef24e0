// E-mail over SMTP to a real server on loopback (python3-aiosmtpd): the invoice e-mail arrives
// as a MIME message with the invoice PDF attached.
#include <doctest/doctest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "notify_support.h"
#include "webhook_receiver.h"

extern char** environ;

namespace turno::testing {
namespace {

constexpr std::int64_t kT0 = kMonday2026_03_02;
constexpr std::int64_t kStart = kT0 + 3 * kMsPerDay + 15 * kMsPerHour;
constexpr int kStartupWaitMs = 20'000;
constexpr int kPollMs = 50;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The SMTP sink script, running while this object lives.
class SmtpSink {
 public:
  SmtpSink(const std::string& directory, int port) : directory_(directory), port_(port) {
    std::filesystem::create_directories(directory);
    const std::string port_text = std::to_string(port_);
    const char* argv[] = {TURNO_PYTHON3, TURNO_SMTP_SINK, port_text.c_str(), directory.c_str(),
                          nullptr};
    REQUIRE(posix_spawn(&pid_, TURNO_PYTHON3, nullptr, nullptr, const_cast<char**>(argv),
                        environ) == 0);
    for (int waited_ms = 0; waited_ms < kStartupWaitMs; waited_ms += kPollMs) {
      if (std::filesystem::exists(directory + "/ready")) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    }
    FAIL("the SMTP sink did not start");
  }
  ~SmtpSink() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // The summary (N.json) of every message received whose subject contains `subject`.
  std::vector<std::pair<int, std::string>> messages_with(const std::string& subject) const {
    std::vector<std::pair<int, std::string>> out;
    for (int n = 1; std::filesystem::exists(directory_ + "/" + std::to_string(n) + ".json"); ++n) {
      std::string summary = read_file(directory_ + "/" + std::to_string(n) + ".json");
      if (summary.find(subject) != std::string::npos) out.emplace_back(n, std::move(summary));
    }
    return out;
  }
  std::string file(int n, const std::string& suffix) const {
    return read_file(directory_ + "/" + std::to_string(n) + suffix);
  }

 private:
  std::string directory_;
  int port_;
  pid_t pid_ = 0;
};

}  // namespace

TEST_CASE("the invoice e-mail arrives over SMTP with a valid PDF attached") {
  TempDir mail;
  SmtpSink sink(mail.sub("inbox"), closed_port());
  World world(kT0, notify::make_curl_transport());
  notify::TenantSettings settings;
  settings.email.enabled = true;
  settings.email.smtp_url = sink.url();
  settings.email.from_address = "citas@clinic.test";
  settings.email.from_name = "Clínica Sur";
  REQUIRE(world.service().settings().put_tenant("t1", settings).is_ok());
  REQUIRE(world.service()
              .settings()
              .put_contact("t1", {notify::RecipientRole::kClient, "c1"},
                           notify::Contact{"ana.cliente@example.test", "", "", "Ana"})
              .is_ok());
  world.run(clinic_commands("America/Lima"));
  world.run(paid_booking("b1", "c1", "ana", kStart));
  world.pass();

  for (const auto& delivery : world.deliveries("b1")) {
    INFO(delivery.id, " ", delivery.last_error);
    if (delivery.recipient.role == notify::RecipientRole::kClient) {
      CHECK(delivery.status == notify::DeliveryStatus::kSent);
    } else {  // no address registered for the staff member
      CHECK(delivery.last_error == "no e-mail address for staff ana");
    }
  }

  const auto invoices = sink.messages_with("Tu factura F001-00000001");
  REQUIRE(invoices.size() == 1);
  const auto n = invoices[0].first;
  const std::string& summary = invoices[0].second;  // a reference INFO can capture (clang 14)
  INFO(summary);
  CHECK(summary.find("\"rcpt_tos\": [\"ana.cliente@example.test\"]") != std::string::npos);
  CHECK(summary.find("\"is_multipart\": true") != std::string::npos);
  CHECK(summary.find("Clínica Sur") != std::string::npos);
  CHECK(summary.find("\"content_type\": \"application/pdf\"") != std::string::npos);
  CHECK(summary.find("\"filename\": \"F001-00000001.pdf\"") != std::string::npos);
  CHECK(summary.find("\"head\": \"%PDF-") != std::string::npos);
  CHECK(summary.find("Adjuntamos la factura F001-00000001 por 100.00 PEN") != std::string::npos);
  const std::string pdf = sink.file(n, "-F001-00000001.pdf");
  CHECK(pdf.starts_with("%PDF-"));
  CHECK(pdf.find("%%EOF") != std::string::npos);
  const std::string raw = sink.file(n, ".eml");
  CHECK(raw.find("Content-Transfer-Encoding: base64") != std::string::npos);
  CHECK(raw.find("Turno-Message-Id: ") != std::string::npos);

  // The confirmation went the same way, without an attachment.
  const auto confirmations = sink.messages_with("Cita confirmada");
  REQUIRE(confirmations.size() == 1);
  CHECK(confirmations[0].second.find("application/pdf") == std::string::npos);
}

TEST_CASE("an SMTP server that is down gets retries, then the message goes out") {
  TempDir mail;
  const int port = closed_port();
  World world(kT0, notify::make_curl_transport());
  notify::TenantSettings settings;
  settings.email = {
      true, "smtp://127.0.0.1:" + std::to_string(port), "citas@clinic.test", "", "", "", false};
  REQUIRE(world.service().settings().put_tenant("t1", settings).is_ok());
  REQUIRE(world.service()
              .settings()
              .put_contact("t1", {notify::RecipientRole::kClient, "c1"},
                           notify::Contact{"c1@example.test", "", "en", ""})
              .is_ok());
  world.run(clinic_commands("America/Lima"));
  world.run(paid_booking("b1", "c1", "ana", kStart));
  world.pass();
  auto invoice = world.of_kind(notify::MessageKind::kInvoiceIssued, "b1");
  REQUIRE(invoice.size() == 1);
  CHECK(invoice[0].status == notify::DeliveryStatus::kPending);
  CHECK(invoice[0].attempts == 1);

  SmtpSink sink(mail.sub("inbox"), port);
  world.clock().advance(kMsPerSecond);
  world.pass();
  invoice = world.of_kind(notify::MessageKind::kInvoiceIssued, "b1");
  CHECK(invoice[0].status == notify::DeliveryStatus::kSent);
  CHECK(invoice[0].attempts == 2);
  const auto received = sink.messages_with("Your invoice F001-00000001");
  REQUIRE(received.size() == 1);
  CHECK(received[0].second.find("\"head\": \"%PDF-") != std::string::npos);
}

}  // namespace turno::testing
