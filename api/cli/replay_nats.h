// Replay into NATS: one message per event on PREFIX.<tenant>.<site>.<event_type>, the
// record's JSON (as in jsonl, with its hash) as payload, and headers Nats-Msg-Id =
// <log id>-<seq> (so a JetStream stream on those subjects drops duplicates of a repeated
// replay) and Turno-Seq.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "history_replay.h"

struct __natsConnection;

namespace turno::cli {

class NatsReplaySink final : public history::ReplaySink {
 public:
  static constexpr std::int64_t kConnectTimeoutMs = 5'000;
  static constexpr std::int64_t kFlushTimeoutMs = 30'000;

  // Connects to `url` (nats://host:port).
  static Result<std::unique_ptr<NatsReplaySink>> connect(const std::string& url,
                                                         std::string subject_prefix,
                                                         std::string log_id);
  ~NatsReplaySink() override;
  NatsReplaySink(const NatsReplaySink&) = delete;
  NatsReplaySink& operator=(const NatsReplaySink&) = delete;

  Status publish(const LogRecord& record) override;
  // Flushes and waits for the server to have everything (a PING round trip).
  Status finish() override;

 private:
  NatsReplaySink(__natsConnection* connection, std::string subject_prefix, std::string log_id);

  __natsConnection* connection_;
  std::string subject_prefix_;
  std::string log_id_;
  history::RecordEncoder encoder_{history::Format::kJsonl};
  std::string payload_;
};

// "<prefix>.<tenant>.<site>.<type>", each token made valid for NATS ("_" when empty; '.',
// '*', '>' and whitespace become '_').
std::string replay_subject(std::string_view prefix, const v1::Envelope& envelope);

}  // namespace turno::cli
