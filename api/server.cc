#include "server.h"

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <deque>
#include <future>
#include <optional>

namespace turno::api {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;

namespace {

constexpr std::size_t kReadChunkBytes = 4096;
// Closing a socket with unread input makes the kernel send a reset, which can destroy the last
// answer before the client reads it (a 413 sent before the body, a 503 to a refused
// connection). So the server stops sending, then reads and discards what still comes, for at
// most this long and this much, and only then closes.
constexpr std::chrono::milliseconds kLingerTimeout{2'000};
constexpr std::size_t kLingerBytesMax = 1 << 20;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kServerName = "turno";

// The answer to a request that could not be read as HTTP, or nullopt to just close.
std::optional<Problem> transport_problem(const ErrorCode& error) {
  if (error == http::error::body_limit) {
    return make_problem(http::status::payload_too_large, "payload_too_large",
                        "the body is larger than the server accepts");
  }
  if (error == http::error::header_limit) {
    return make_problem(http::status::request_header_fields_too_large, "headers_too_large",
                        "the request's header block is larger than the server accepts");
  }
  if (error.category() == ErrorCode(http::error::end_of_stream).category() &&
      error != http::error::end_of_stream && error != http::error::partial_message) {
    return make_problem(http::status::bad_request, "malformed_http",
                        "the request is not valid HTTP/1.1: " + error.message());
  }
  return std::nullopt;
}

}  // namespace

// One connection: reads requests ahead of their responses (up to pipeline_max), answers them
// in order, keeps the connection alive while both sides want it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server& server, Listener listener)
      : server_(server),
        options_(server.options_),
        listener_(listener),
        stream_(std::move(socket)) {}

  ~Session() { server_.leave(this); }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_next(); });
  }

  // Over the connection limit: read the first request, answer it 503 and close.
  void refuse() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->over_limit_ = true;
      self->read_next();
    });
  }

  // Shutdown: answer what is in flight with Connection: close, read nothing more.
  void drain() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->draining_ = true;
      self->closing_ = true;
      if (self->pipeline_.empty()) self->hard_close();
    });
  }

 private:
  struct Slot {
    std::optional<Response> response;
    std::string request_id;
    unsigned version = 11;
    bool keep_alive = true;
  };

  void read_next() {
    if (reading_ || closing_ || pipeline_.size() >= options_.pipeline_max) return;
    reading_ = true;
    if (buffer_.size() > 0) return read_header();
    stream_.expires_after(options_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = shared_from_this()](ErrorCode error, std::size_t bytes) {
                              if (error) return self->on_read_error(error);
                              self->buffer_.commit(bytes);
                              self->read_header();
                            });
  }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_.header_bytes_max));
    parser_->body_limit(options_.body_bytes_max);
    stream_.expires_after(options_.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](ErrorCode error, std::size_t) { self->on_header(error); });
  }

  void on_header(ErrorCode error) {
    if (error) return on_read_error(error);
    const auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue") && pipeline_.empty() && !writing_) {
      writing_ = true;
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](ErrorCode write_error, std::size_t) {
                         self->writing_ = false;
                         if (write_error) return self->hard_close();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(options_.body_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](ErrorCode error, std::size_t) { self->on_body(error); });
  }

  void on_body(ErrorCode error) {
    if (error) return on_read_error(error);
    reading_ = false;
    if (over_limit_) {
      Problem problem = make_problem(http::status::service_unavailable, "too_many_connections",
                                     "the server has too many connections; retry shortly");
      problem.retry_after_s = kRetryAfterS;
      return answer_transport(problem);
    }
    Request request = parser_->release();
    parser_.reset();
    const std::uint64_t slot = first_slot_ + pipeline_.size();
    Slot& pending = pipeline_.emplace_back();
    pending.request_id = request_id_for(request);
    pending.version = request.version();
    pending.keep_alive = request.keep_alive();
    if (!pending.keep_alive) closing_ = true;
    server_.api_.handle(
        request, pending.request_id, stream_.get_executor(),
        [self = shared_from_this(), slot](Response&& response) {
          self->on_response(slot, std::move(response));
        },
        listener_);
    read_next();
  }

  void on_read_error(const ErrorCode& error) {
    reading_ = false;
    closing_ = true;
    if (std::optional<Problem> problem = transport_problem(error)) {
      return answer_transport(*problem);
    }
    if (pipeline_.empty() && !writing_) hard_close();
  }

  // An answer the transport gives itself; the connection closes after it.
  void answer_transport(const Problem& problem) {
    closing_ = true;
    server_.api_.record_transport_answer(static_cast<unsigned>(problem.status));
    Slot& slot = pipeline_.emplace_back();
    slot.keep_alive = false;
    slot.request_id = request_id_for(Request{});
    Response response = problem_response(problem);
    finalize(response, slot);
    slot.response = std::move(response);
    write_next();
  }

  void on_response(std::uint64_t slot_number, Response&& response) {
    Slot& slot = pipeline_[slot_number - first_slot_];
    finalize(response, slot);
    slot.response = std::move(response);
    write_next();
  }

  void finalize(Response& response, const Slot& slot) {
    response.version(slot.version);
    response.keep_alive(slot.keep_alive && !draining_);
    response.set(http::field::server, kServerName);
    response.set(kRequestIdHeader, slot.request_id);
    response.prepare_payload();
  }

  void write_next() {
    if (writing_ || pipeline_.empty() || !pipeline_.front().response) return;
    writing_ = true;
    const bool close_after = !pipeline_.front().response->keep_alive();
    stream_.expires_after(options_.write_timeout);
    http::async_write(stream_, *pipeline_.front().response,
                      [self = shared_from_this(), close_after](ErrorCode error, std::size_t) {
                        self->on_write(error, close_after);
                      });
  }

  void on_write(const ErrorCode& error, bool close_after) {
    writing_ = false;
    pipeline_.pop_front();
    ++first_slot_;
    if (error) return hard_close();
    if (close_after || (closing_ && pipeline_.empty())) return close();
    write_next();
    read_next();
  }

  // Ends the connection after the last answer: a lingering close, unless a read is still
  // pending (then closing cancels it).
  void close() {
    if (reading_ || closed_) return hard_close();
    closing_ = true;
    closed_ = true;
    ErrorCode ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    linger(0);
  }

  void linger(std::size_t discarded_bytes) {
    stream_.async_read_some(
        net::buffer(linger_buffer_),
        [self = shared_from_this(), discarded_bytes](ErrorCode error, std::size_t bytes) {
          if (error || discarded_bytes + bytes > kLingerBytesMax) return self->hard_close();
          self->linger(discarded_bytes + bytes);
        });
  }

  void hard_close() {
    closing_ = true;
    closed_ = true;
    ErrorCode ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  Server& server_;
  const ServerOptions& options_;
  const Listener listener_;  // which of the server's listeners accepted the connection
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::deque<Slot> pipeline_;  // in request order; front is the next to write
  std::uint64_t first_slot_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;     // read no more requests
  bool draining_ = false;    // the server is stopping
  bool over_limit_ = false;  // accepted beyond connections_max: answer 503
  bool closed_ = false;      // close() or hard_close() ran
  std::array<char, kReadChunkBytes> linger_buffer_{};
};

Server::Server(Api& api, ServerOptions options)
    : api_(api),
      options_(std::move(options)),
      accept_strand_(net::make_strand(context_)),
      acceptor_(accept_strand_),
      metrics_acceptor_(accept_strand_) {}

Server::~Server() {
  stop();
}

namespace {

// Opens, binds and listens `acceptor` on `address` ("host:port").
Status listen_on(tcp::acceptor& acceptor, const std::string& address) {
  Result<tcp::endpoint> endpoint = parse_listen_address(address);
  if (!endpoint.is_ok()) return endpoint.status();
  ErrorCode error;
  acceptor.open(endpoint.value().protocol(), error);
  if (!error) acceptor.set_option(net::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint.value(), error);
  if (!error) acceptor.listen(net::socket_base::max_listen_connections, error);
  if (error) return Status::io_error("cannot listen on " + address + ": " + error.message());
  return Status::ok();
}

}  // namespace

Status Server::start() {
  if (Status listening = listen_on(acceptor_, options_.listen); !listening.is_ok()) {
    return listening;
  }
  endpoint_ = acceptor_.local_endpoint();
  api_.set_listen_endpoint(endpoint_);
  if (!options_.metrics_listen.empty()) {
    if (Status listening = listen_on(metrics_acceptor_, options_.metrics_listen);
        !listening.is_ok()) {
      return listening;
    }
    metrics_endpoint_ = metrics_acceptor_.local_endpoint();
    api_.serve_metrics_apart();
  }
  work_ = std::make_unique<net::executor_work_guard<net::io_context::executor_type>>(
      context_.get_executor());
  net::post(accept_strand_, [this] {
    accept_next(Listener::kMain);
    if (metrics_acceptor_.is_open()) accept_next(Listener::kMetrics);
  });
  const int threads = std::max(1, options_.io_threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { context_.run(); });
  return Status::ok();
}

tcp::acceptor& Server::acceptor_of(Listener listener) {
  return listener == Listener::kMetrics ? metrics_acceptor_ : acceptor_;
}

void Server::accept_next(Listener listener) {
  acceptor_of(listener).async_accept(net::make_strand(context_),
                                     [this, listener](const ErrorCode& error, tcp::socket socket) {
                                       on_accept(error, std::move(socket), listener);
                                     });
}

void Server::on_accept(const ErrorCode& error, tcp::socket socket, Listener listener) {
  if (!acceptor_of(listener).is_open() || error == net::error::operation_aborted) return;
  if (error) {
    std::fprintf(stderr, "turno serve: accept failed: %s\n", error.message().c_str());
    return accept_next(listener);
  }
  ErrorCode ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto session = std::make_shared<Session>(std::move(socket), *this, listener);
  const bool over_limit = connections_.fetch_add(1) >= options_.connections_max;
  enroll(session);
  if (over_limit) {
    session->refuse();
  } else {
    session->start();
  }
  accept_next(listener);
}

void Server::enroll(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.emplace(session.get(), session);
}

void Server::leave(Session* session) {
  connections_.fetch_sub(1);
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(session);
  if (sessions_.empty()) sessions_gone_.notify_all();
}

void Server::stop() {
  {
    std::lock_guard lock(sessions_mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  api_.set_draining();
  if (!threads_.empty()) {
    // Closed on its strand, and waited for: once stop() goes on, no connection is accepted.
    std::promise<void> closed;
    net::post(accept_strand_, [this, &closed] {
      ErrorCode ignored;
      acceptor_.close(ignored);
      metrics_acceptor_.close(ignored);
      closed.set_value();
    });
    closed.get_future().wait();
    std::vector<std::shared_ptr<Session>> open;
    {
      std::unique_lock lock(sessions_mutex_);
      for (auto& [pointer, weak] : sessions_) {
        if (auto session = weak.lock()) open.push_back(std::move(session));
      }
    }
    for (auto& session : open) session->drain();
    open.clear();
    std::unique_lock lock(sessions_mutex_);
    sessions_gone_.wait_for(lock, options_.drain_timeout, [this] { return sessions_.empty(); });
  }
  work_.reset();
  context_.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  ErrorCode ignored;
  acceptor_.close(ignored);  // never started, or started: either way no thread runs now
  metrics_acceptor_.close(ignored);
  if (api_.has_engine()) api_.engine().stop();  // a query node has no writer to stop
}

void Server::run_until_signal() {
  net::io_context signals_context;
  net::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([](const ErrorCode&, int) {});
  signals_context.run();
  stop();
}

Result<tcp::endpoint> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return Status::invalid_argument("listen address needs :port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  const auto [end, parse_error] = std::from_chars(port_text.begin(), port_text.end(), port);
  if (parse_error != std::errc() || end != port_text.end() || port > 65535) {
    return Status::invalid_argument("bad port in listen address " + std::string(text));
  }
  ErrorCode error;
  const auto address =
      net::ip::make_address(std::string(host == "localhost" ? "127.0.0.1" : host), error);
  if (error) return Status::invalid_argument("bad host in listen address " + std::string(text));
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

}  // namespace turno::api
