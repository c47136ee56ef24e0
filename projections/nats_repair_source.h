// The JetStream stream TURNO_EVENTS as a source for `turno repair` (engine/log/log_repair.h).
//
// Every message of the stream is one event's envelope bytes exactly as the log hashed them,
// named <log id>-<seq> (nats_format.h), so the stream is a second copy of each log's chain.
// The source reads the whole stream once, in stream order, through an ordered consumer (no
// state left on the server), keeps one log's messages, skips repeats (a publisher that
// republished after NATS lost messages) and hands them out in seq order; a seq the stream
// lacks ends what it can give. Repair recomputes every hash, so a damaged or forged message
// is refused there, not trusted here.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "log_repair.h"

namespace turno::projections {

struct NatsRecordSourceOptions {
  std::string url;  // nats://host:port, or a cluster's comma-separated list
  std::chrono::milliseconds connect_timeout{2'000};
  std::chrono::milliseconds message_wait{5'000};  // longest wait for the next message
  // Messages of the log held back while waiting for an earlier seq (republished later in the
  // stream); past this the source stops at the gap.
  std::size_t out_of_order_max = 100'000;
};

Result<std::unique_ptr<RecordSource>> nats_record_source(NatsRecordSourceOptions options);

}  // namespace turno::projections
