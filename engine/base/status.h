// Errors as values. A Status or Result must be read: both are [[nodiscard]], and ignoring one
// on purpose is spelled out with `.ignore()` so it can be found with grep.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "verify.h"

namespace turno {

class [[nodiscard]] Status {
 public:
  enum class Code { kOk, kIoError, kCorruption, kNotFound, kInvalidArgument, kBusy };

  Status() = default;
  static Status ok() { return Status(); }
  static Status io_error(std::string message) { return {Code::kIoError, std::move(message)}; }
  static Status corruption(std::string message) { return {Code::kCorruption, std::move(message)}; }
  static Status not_found(std::string message) { return {Code::kNotFound, std::move(message)}; }
  static Status invalid_argument(std::string message) {
    return {Code::kInvalidArgument, std::move(message)};
  }
  static Status busy(std::string message) { return {Code::kBusy, std::move(message)}; }

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // Deliberately drops this status; greppable.
  void ignore() const {}

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    VERIFY(!std::get<Status>(state_).is_ok(), "a Result built from a Status must be an error");
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status ok_status;
    return is_ok() ? ok_status : std::get<Status>(state_);
  }
  T& value() & {
    VERIFY(is_ok(), "value() of an error Result");
    return std::get<T>(state_);
  }
  const T& value() const& {
    VERIFY(is_ok(), "value() of an error Result");
    return std::get<T>(state_);
  }
  T&& value() && {
    VERIFY(is_ok(), "value() of an error Result");
    return std::get<T>(std::move(state_));
  }

 private:
  std::variant<T, Status> state_;
};

}  // namespace turno
