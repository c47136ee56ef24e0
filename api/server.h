// The HTTP/1.1 server: Beast's advanced-server shape. One session per connection on a strand,
// read -> handle -> write, keep-alive, a bounded pipeline per connection (reading pauses while
// it is full), named limits on body and header sizes, idle/header/body/write timeouts, a
// bounded number of connections and a configurable number of I/O threads.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api.h"

namespace turno::api {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  // host:port of the internal listener that alone serves /metrics (it names tenants), with the
  // probes; empty: /metrics is served on `listen` (in-process tests and benchmarks).
  std::string metrics_listen;
  int io_threads = 2;
  std::size_t body_bytes_max = 64 * 1024;            // larger bodies: 413
  std::size_t header_bytes_max = 16 * 1024;          // larger header blocks: 431
  std::chrono::milliseconds idle_timeout{30'000};    // waiting for a request's first byte
  std::chrono::milliseconds header_timeout{10'000};  // reading the rest of the header
  std::chrono::milliseconds body_timeout{30'000};    // reading the body
  std::chrono::milliseconds write_timeout{30'000};   // writing a response
  std::size_t pipeline_max = 8;        // requests read ahead of their responses, per connection
  std::size_t connections_max = 4096;  // beyond: 503 and close
  std::chrono::milliseconds drain_timeout{10'000};  // shutdown: wait this long for in-flight work
};

class Session;

class Server {
 public:
  // `api` must outlive the server.
  Server(Api& api, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads. Fails (without throwing) on a bad address or a
  // port in use.
  Status start();
  // The bound address (the real port when 0 was asked for).
  boost::asio::ip::tcp::endpoint endpoint() const { return endpoint_; }
  // The metrics listener's bound address; unspecified when there is none.
  boost::asio::ip::tcp::endpoint metrics_endpoint() const { return metrics_endpoint_; }

  // Graceful stop: stop accepting, let in-flight requests finish and be answered (Connection:
  // close), close idle connections, wait up to drain_timeout, stop the I/O threads, then stop
  // the engine's writer (which finishes what is queued). Idempotent; not from an I/O thread.
  void stop();
  // Blocks until SIGINT or SIGTERM, then stop().
  void run_until_signal();

  std::size_t connections() const { return connections_.load(); }

 private:
  friend class Session;
  boost::asio::ip::tcp::acceptor& acceptor_of(Listener listener);
  void accept_next(Listener listener);
  void on_accept(const boost::system::error_code& error, boost::asio::ip::tcp::socket socket,
                 Listener listener);
  void enroll(const std::shared_ptr<Session>& session);
  void leave(Session* session);

  Api& api_;
  const ServerOptions options_;
  std::atomic<std::size_t> connections_{0};
  std::mutex sessions_mutex_;  // guards sessions_
  std::condition_variable sessions_gone_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  bool stopped_ = false;
  boost::asio::ip::tcp::endpoint endpoint_;
  boost::asio::ip::tcp::endpoint metrics_endpoint_;
  std::vector<std::thread> threads_;
  // Declared last, destroyed first: handlers it still holds may end sessions, which leave().
  boost::asio::io_context context_;
  boost::asio::strand<boost::asio::io_context::executor_type> accept_strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::acceptor metrics_acceptor_;  // open only with options.metrics_listen
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
};

// "127.0.0.1:8080", "[::1]:80", "0.0.0.0:0" -> endpoint; an error for anything else.
Result<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text);

}  // namespace turno::api
