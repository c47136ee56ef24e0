// The log record decoder (turno::decode_record): any key and value give a record or a
// corruption Status, never a crash; a decoded record is the seq asked for, with a prev_hash.
#include "event_log.h"
#include "fuzz_input.h"
#include "log_format.h"
#include "targets.h"
#include "verify.h"

namespace turno::fuzz {

void log_record(std::string_view input) {
  FuzzInput in(input);
  const std::uint8_t mode = in.byte();
  std::string key;
  Seq expected{mode};
  if (mode % 2 == 1) {
    // A well-formed key, so the value is what gets decoded.
    key = log_format::encode_u64(expected.value);
  } else {
    key = in.field();
    if (key.size() == log_format::kSeqKeyBytes) expected = Seq{log_format::decode_u64(key)};
  }
  LogRecord record;
  const Status status = decode_record(key, in.rest(), expected, record);
  if (!status.is_ok()) {
    VERIFY(status.code() == Status::Code::kCorruption, "bad bytes are corruption");
    return;
  }
  VERIFY(record.seq == expected && record.envelope.seq() == expected.value, "the seq asked for");
  VERIFY(record.envelope.prev_hash().size() == log_format::kHashBytes, "a prev_hash");
}

}  // namespace turno::fuzz
