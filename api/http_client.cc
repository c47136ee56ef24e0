#include "http_client.h"

#include <boost/asio/post.hpp>
#include <boost/beast/http.hpp>
#include <memory>

namespace turno::api {
namespace {

namespace beast = boost::beast;

// The state of one asynchronous request; keeps itself alive through its handlers.
class OneShot : public std::enable_shared_from_this<OneShot> {
 public:
  OneShot(Executor executor, Request request, std::chrono::milliseconds timeout,
          std::function<void(ErrorCode, Response)> done)
      : stream_(executor),
        request_(std::move(request)),
        timeout_(timeout),
        done_(std::move(done)) {}

  void start(const tcp::endpoint& endpoint) {
    stream_.expires_after(timeout_);
    stream_.async_connect(
        endpoint, [self = shared_from_this()](ErrorCode error) { self->on_connect(error); });
  }

 private:
  void on_connect(ErrorCode error) {
    if (error) return finish(error);
    stream_.expires_after(timeout_);
    http::async_write(stream_, request_,
                      [self = shared_from_this()](ErrorCode e, std::size_t) { self->on_write(e); });
  }

  void on_write(ErrorCode error) {
    if (error) return finish(error);
    stream_.expires_after(timeout_);
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](ErrorCode e, std::size_t) { self->finish(e); });
  }

  void finish(ErrorCode error) {
    ErrorCode ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    done_(error, std::move(response_));
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Request request_;
  Response response_;
  std::chrono::milliseconds timeout_;
  std::function<void(ErrorCode, Response)> done_;
};

}  // namespace

void async_request(Executor executor, tcp::endpoint endpoint, Request request,
                   std::chrono::milliseconds timeout,
                   std::function<void(ErrorCode, Response)> done) {
  request.prepare_payload();
  auto operation =
      std::make_shared<OneShot>(executor, std::move(request), timeout, std::move(done));
  operation->start(endpoint);
}

BlockingClient::BlockingClient(const tcp::endpoint& endpoint) : stream_(context_) {
  stream_.expires_after(kBlockingClientTimeout);
  stream_.async_connect(endpoint, [this](ErrorCode error) { error_ = error; });
  run_pending();
  if (!error_) stream_.socket().set_option(tcp::no_delay(true), error_);
}

void BlockingClient::run_pending() {
  context_.restart();
  context_.run();
}

std::optional<Response> BlockingClient::send(Request request) {
  if (error_) return std::nullopt;
  if (request[http::field::host].empty()) request.set(http::field::host, "127.0.0.1");
  request.prepare_payload();
  stream_.expires_after(kBlockingClientTimeout);
  http::async_write(stream_, request, [this](ErrorCode error, std::size_t) { error_ = error; });
  run_pending();
  return read_response();
}

std::optional<Response> BlockingClient::send_raw(std::string_view bytes) {
  if (error_) return std::nullopt;
  stream_.expires_after(kBlockingClientTimeout);
  boost::asio::async_write(stream_, boost::asio::buffer(bytes.data(), bytes.size()),
                           [this](ErrorCode error, std::size_t) { error_ = error; });
  run_pending();
  return read_response();
}

std::optional<Response> BlockingClient::read_response() {
  if (error_) return std::nullopt;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  stream_.expires_after(kBlockingClientTimeout);
  http::async_read(stream_, buffer_, parser,
                   [this](ErrorCode error, std::size_t) { error_ = error; });
  run_pending();
  if (error_) {
    ErrorCode ignored;
    stream_.socket().close(ignored);
    return std::nullopt;
  }
  return parser.release();
}

}  // namespace turno::api
