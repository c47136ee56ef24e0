// libcurl behind Transport: one easy handle per request (the dispatcher sends a few per tick;
// connection reuse is not worth shared state here).
#include <curl/curl.h>

#include <ctime>
#include <mutex>

#include "signature.h"
#include "transport.h"

namespace turno::projections::notifications {
namespace {

struct Easy {
  CURL* handle = curl_easy_init();
  curl_slist* headers = nullptr;
  curl_slist* recipients = nullptr;
  curl_mime* mime = nullptr;
  Easy() = default;
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;
  ~Easy() {
    if (mime) curl_mime_free(mime);
    curl_slist_free_all(headers);
    curl_slist_free_all(recipients);
    if (handle) curl_easy_cleanup(handle);
  }
  void header(const std::string& line) { headers = curl_slist_append(headers, line.c_str()); }
};

struct Sink {
  std::string bytes;
  std::size_t max = 0;
};

std::size_t keep_some(char* data, std::size_t size, std::size_t count, void* user) {
  Sink& sink = *static_cast<Sink*>(user);
  const std::size_t length = size * count;
  if (sink.bytes.size() < sink.max) {
    sink.bytes.append(data, std::min(length, sink.max - sink.bytes.size()));
  }
  return length;
}

void set_limits(CURL* handle, const TransportLimits& limits) {
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect_timeout_ms));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.request_timeout_ms));
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
}

// No line breaks in header values: they would start new headers.
std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

std::string encoded_word(std::string_view text) {
  return "=?UTF-8?B?" + base64_encode(one_line(text)) + "?=";
}

SendOutcome outcome_of_http(long status) {
  if (status >= 200 && status < 300) return SendOutcome::kSent;
  if (status == 408 || status == 425 || status == 429 || status >= 500) return SendOutcome::kRetry;
  return SendOutcome::kPermanent;
}

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TransportLimits limits) : limits_(limits) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  SendResult send(const WebhookRequest& request) override;
  SendResult send(const EmailRequest& request) override;

 private:
  TransportLimits limits_;
};

SendResult CurlTransport::send(const WebhookRequest& request) {
  Easy easy;
  if (easy.handle == nullptr) return {SendOutcome::kRetry, "curl_easy_init failed"};
  Sink sink{{}, limits_.response_bytes_max};
  easy.header("Content-Type: application/json");
  easy.header(std::string(kMessageIdHeader) + ": " + one_line(request.message_id));
  easy.header(std::string(kKindHeader) + ": " + one_line(request.kind));
  easy.header(std::string(kAttemptHeader) + ": " + std::to_string(request.attempt));
  easy.header(std::string(kSignatureHeader) + ": " +
              sign_body(request.secret, request.timestamp_s, request.body));
  easy.header("Expect:");  // no 100-continue round trip
  curl_easy_setopt(easy.handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy.handle, CURLOPT_HTTPHEADER, easy.headers);
  curl_easy_setopt(easy.handle, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(easy.handle, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(easy.handle, CURLOPT_WRITEFUNCTION, keep_some);
  curl_easy_setopt(easy.handle, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(easy.handle, CURLOPT_PROTOCOLS_STR, "http,https");
  set_limits(easy.handle, limits_);
  const CURLcode code = curl_easy_perform(easy.handle);
  if (code != CURLE_OK) return {SendOutcome::kRetry, curl_easy_strerror(code)};
  long status = 0;
  curl_easy_getinfo(easy.handle, CURLINFO_RESPONSE_CODE, &status);
  return {outcome_of_http(status), "HTTP " + std::to_string(status)};
}

SendResult CurlTransport::send(const EmailRequest& request) {
  Easy easy;
  if (easy.handle == nullptr) return {SendOutcome::kRetry, "curl_easy_init failed"};
  const EmailChannel& server = request.server;
  const std::string from = "<" + server.from_address + ">";
  const std::string to = "<" + request.to_address + ">";
  easy.recipients = curl_slist_append(easy.recipients, to.c_str());
  easy.header("From: " + (request.sender_name.empty()
                              ? from
                              : encoded_word(request.sender_name) + " " + from));
  easy.header("To: " + to);
  easy.header("Subject: " + encoded_word(request.subject));
  easy.header("Date: " + rfc5322_date(request.now_ms));
  easy.header("Message-ID: <" + one_line(request.message_id) + "@turno>");
  easy.header(std::string(kMessageIdHeader) + ": " + one_line(request.message_id));
  easy.mime = curl_mime_init(easy.handle);
  curl_mimepart* text = curl_mime_addpart(easy.mime);
  curl_mime_data(text, request.body.data(), request.body.size());
  curl_mime_type(text, "text/plain; charset=UTF-8");
  curl_mime_encoder(text, "quoted-printable");
  if (request.attachment) {
    curl_mimepart* file = curl_mime_addpart(easy.mime);
    curl_mime_data(file, request.attachment->bytes.data(), request.attachment->bytes.size());
    curl_mime_type(file, request.attachment->content_type.c_str());
    curl_mime_filename(file, request.attachment->filename.c_str());
    curl_mime_encoder(file, "base64");
  }
  curl_easy_setopt(easy.handle, CURLOPT_URL, server.smtp_url.c_str());
  curl_easy_setopt(easy.handle, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(easy.handle, CURLOPT_MAIL_RCPT, easy.recipients);
  curl_easy_setopt(easy.handle, CURLOPT_HTTPHEADER, easy.headers);
  curl_easy_setopt(easy.handle, CURLOPT_MIMEPOST, easy.mime);
  curl_easy_setopt(easy.handle, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(easy.handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (!server.username.empty()) {
    curl_easy_setopt(easy.handle, CURLOPT_USERNAME, server.username.c_str());
    curl_easy_setopt(easy.handle, CURLOPT_PASSWORD, server.password.c_str());
  }
  curl_easy_setopt(
      easy.handle, CURLOPT_USE_SSL,
      server.require_tls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_TRY));
  set_limits(easy.handle, limits_);
  const CURLcode code = curl_easy_perform(easy.handle);
  if (code == CURLE_OK) return {SendOutcome::kSent, "250"};
  long reply = 0;
  curl_easy_getinfo(easy.handle, CURLINFO_RESPONSE_CODE, &reply);
  const std::string detail = std::string(curl_easy_strerror(code)) +
                             (reply ? " (SMTP " + std::to_string(reply) + ")" : "");
  return {reply >= 500 ? SendOutcome::kPermanent : SendOutcome::kRetry, detail};
}

}  // namespace

std::unique_ptr<Transport> make_curl_transport(TransportLimits limits) {
  return std::make_unique<CurlTransport>(limits);
}

std::string rfc5322_date(std::int64_t instant_ms) {
  // The C locale's day and month names are the ones RFC 5322 wants; nothing here sets another.
  const std::time_t seconds = static_cast<std::time_t>(instant_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char out[40];
  const std::size_t length = std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return std::string(out, length);
}

}  // namespace turno::projections::notifications
