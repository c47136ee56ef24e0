// The channels' wire: signed webhooks over HTTP(S) and e-mail over SMTP, both with libcurl.
// A Transport call blocks for at most the limits below and never throws; the outcome says
// whether to retry.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "settings.h"

namespace turno::projections::notifications {

struct TransportLimits {
  std::int64_t connect_timeout_ms = 5'000;
  std::int64_t request_timeout_ms = 20'000;    // the whole exchange, upload included
  std::size_t response_bytes_max = 64 * 1024;  // of a webhook receiver's answer (kept for logs)
};

struct WebhookRequest {
  std::string url;
  std::string secret;
  std::string message_id;  // Turno-Message-Id: receivers deduplicate by it
  std::string kind;        // Turno-Message-Kind
  std::uint32_t attempt = 1;
  std::int64_t timestamp_s = 0;  // signed with the body
  std::string body;              // JSON
};

struct Attachment {
  std::string filename;
  std::string content_type;
  std::string bytes;
};

struct EmailRequest {
  EmailChannel server;  // where and as whom
  std::string sender_name;
  std::string to_address;
  std::string subject;                   // UTF-8; sent as an RFC 2047 encoded word
  std::string body;                      // UTF-8 plain text
  std::string message_id;                // Message-ID and Turno-Message-Id headers
  std::int64_t now_ms = 0;               // the Date header
  std::optional<Attachment> attachment;  // base64 in a multipart/mixed message
};

enum class SendOutcome : std::uint8_t {
  kSent,       // accepted (HTTP 2xx; SMTP 250 after DATA)
  kRetry,      // transient: network, timeout, 5xx, 408, 429, SMTP 4xx
  kPermanent,  // refused for good: other HTTP 4xx, SMTP 5xx; goes to dead letter at once
};

struct SendResult {
  SendOutcome outcome = SendOutcome::kRetry;
  std::string detail;  // "HTTP 500", "Couldn't connect to server", ...
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual SendResult send(const WebhookRequest& request) = 0;
  virtual SendResult send(const EmailRequest& request) = 0;
};

// libcurl for both channels. Safe to call from one thread at a time per instance.
std::unique_ptr<Transport> make_curl_transport(TransportLimits limits = {});

// "Tue, 04 Mar 2026 14:00:00 +0000" (RFC 5322 date, UTC).
std::string rfc5322_date(std::int64_t instant_ms);

}  // namespace turno::projections::notifications
