// HTTP/1.1 clients over Beast: an asynchronous one-shot request (the sandbox provider delivers
// its webhooks with it, on the server's own I/O threads) and a blocking keep-alive connection
// (tests and benchmarks).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "api.h"

namespace turno::api {

using tcp = boost::asio::ip::tcp;
using ErrorCode = boost::system::error_code;

// Connects to `endpoint`, sends `request`, reads the response and closes; calls `done` once, on
// `executor`, with the error or the response. `timeout` bounds each step.
void async_request(Executor executor, tcp::endpoint endpoint, Request request,
                   std::chrono::milliseconds timeout,
                   std::function<void(ErrorCode, Response)> done);

inline constexpr std::chrono::milliseconds kBlockingClientTimeout{30'000};

// One keep-alive connection used from one thread at a time. Every send and receive gives up
// after kBlockingClientTimeout (error() is then a timeout), so a test never hangs.
class BlockingClient {
 public:
  // Connects to `endpoint`; ok() says whether it worked.
  explicit BlockingClient(const tcp::endpoint& endpoint);
  bool ok() const { return !error_; }
  const ErrorCode& error() const { return error_; }

  // Sends `request` (Host, Content-Length filled in) and reads the answer; nullopt on a
  // transport error (then error() says which), after which the connection is closed.
  std::optional<Response> send(Request request);
  // Writes raw bytes and reads one response: for malformed-HTTP tests.
  std::optional<Response> send_raw(std::string_view bytes);
  // Reads the next response (after send_raw wrote several pipelined requests).
  std::optional<Response> receive() { return read_response(); }

 private:
  std::optional<Response> read_response();
  // Runs the client's own I/O until the started operation completes or times out.
  void run_pending();
  boost::asio::io_context context_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  ErrorCode error_;
};

}  // namespace turno::api
