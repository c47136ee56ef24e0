// The snapshot store: round trips, validation of what it reads back, pruning, read-only use.
#include "snapshot_store.h"

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <random>

#include "snapshot_format.h"
#include "temp_dir.h"

using namespace turno;
using namespace turno::testing;

namespace {

namespace fmt = snapshot_format;

std::unique_ptr<SnapshotStore> open_store(const std::string& path,
                                          SnapshotStoreOptions options = {}) {
  auto store = SnapshotStore::open(path, options);
  REQUIRE_MESSAGE(store.is_ok(), store.status().message());
  return std::move(store).value();
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string out(size, '\0');
  for (char& byte : out) byte = static_cast<char>(random() & 0xff);
  return out;
}

std::string big_endian(std::uint64_t value, int bytes) {
  std::string out;
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(value >> shift));
  }
  return out;
}

std::string chunk_key(std::uint64_t seq, std::uint32_t chunk) {
  return std::string(1, fmt::kChunkPrefix) + big_endian(seq, 8) + big_endian(chunk, 4);
}

std::string manifest_key(std::uint64_t seq) {
  return std::string(1, fmt::kManifestPrefix) + big_endian(seq, 8);
}

// Opens the store's database directly, as something with disk access would, and edits it.
void with_raw_db(const std::string& path, const std::function<void(rocksdb::DB&)>& edit) {
  rocksdb::Options options;
  options.enable_blob_files = true;
  options.min_blob_size = 64 * 1024;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(options, path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  edit(*db);
  REQUIRE(db->Close().ok());
}

std::uintmax_t directory_bytes(const std::string& path) {
  std::uintmax_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

std::optional<SnapshotStore::Snapshot> newest(const SnapshotStore& store,
                                              SnapshotStore::Report& report,
                                              Seq at_most = Seq{UINT64_MAX}) {
  auto loaded = store.load_newest(report, at_most);
  REQUIRE_MESSAGE(loaded.is_ok(), loaded.status().message());
  return std::move(loaded).value();
}

bool mentions(const SnapshotStore::Report& report, const std::string& text) {
  for (const auto& line : report) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a snapshot reads back with its seq and payload, also after reopening") {
  TempDir dir;
  {
    auto store = open_store(dir.path());
    REQUIRE(store->write(Seq{42}, "state at 42").is_ok());
    SnapshotStore::Report report;
    auto found = newest(*store, report);
    REQUIRE(found.has_value());
    CHECK(found->seq == Seq{42});
    CHECK(found->payload == "state at 42");
    CHECK(report.empty());
  }
  auto store = open_store(dir.path());
  auto read = store->read(Seq{42});
  REQUIRE(read.is_ok());
  CHECK(read.value().payload == "state at 42");
  CHECK(store->read(Seq{41}).status().code() == Status::Code::kNotFound);
}

TEST_CASE("an empty store has no snapshot and reports nothing") {
  TempDir dir;
  auto store = open_store(dir.path());
  SnapshotStore::Report report;
  CHECK_FALSE(newest(*store, report).has_value());
  CHECK(report.empty());
  CHECK(store->list().value().empty());
  CHECK(store->prune(3).is_ok());
  CHECK(store->prune(0).is_ok());
}

TEST_CASE("an empty payload is a valid snapshot") {
  TempDir dir;
  auto store = open_store(dir.path());
  REQUIRE(store->write(Seq{7}, "").is_ok());
  SnapshotStore::Report report;
  auto found = newest(*store, report);
  REQUIRE(found.has_value());
  CHECK(found->seq == Seq{7});
  CHECK(found->payload.empty());
}

TEST_CASE("payloads spanning several chunks round trip byte for byte") {
  TempDir dir;
  auto store = open_store(dir.path());
  const std::string exact = random_bytes(2 * fmt::kChunkBytes, 1);
  const std::string ragged = random_bytes(2 * fmt::kChunkBytes + 5, 2);
  REQUIRE(store->write(Seq{1}, exact).is_ok());
  REQUIRE(store->write(Seq{2}, ragged).is_ok());
  CHECK(store->read(Seq{1}).value().payload == exact);
  CHECK(store->read(Seq{2}).value().payload == ragged);
}

TEST_CASE("rewriting a seq with a smaller payload leaves none of the old chunks") {
  TempDir dir;
  {
    auto store = open_store(dir.path());
    REQUIRE(store->write(Seq{5}, random_bytes(fmt::kChunkBytes + 10, 3)).is_ok());
    REQUIRE(store->write(Seq{5}, "small").is_ok());
    CHECK(store->read(Seq{5}).value().payload == "small");
  }
  with_raw_db(dir.path(), [](rocksdb::DB& db) {
    std::string value;
    CHECK(db.Get({}, chunk_key(5, 1), &value).IsNotFound());
  });
}

TEST_CASE("many snapshots list in seq order and the newest at or below a bound is found") {
  TempDir dir;
  auto store = open_store(dir.path());
  for (std::uint64_t seq = 300; seq >= 10; seq -= 10) {  // written newest first
    REQUIRE(store->write(Seq{seq}, "at " + std::to_string(seq)).is_ok());
  }
  auto seqs = store->list();
  REQUIRE(seqs.is_ok());
  REQUIRE(seqs.value().size() == 30);
  CHECK(std::is_sorted(seqs.value().begin(), seqs.value().end()));
  SnapshotStore::Report report;
  CHECK(newest(*store, report)->seq == Seq{300});
  CHECK(newest(*store, report, Seq{255})->payload == "at 250");
  CHECK_FALSE(newest(*store, report, Seq{9}).has_value());
  CHECK(report.empty());  // snapshots above the bound are not problems
}

TEST_CASE("a damaged snapshot is reported and skipped, falling back to an older one or none") {
  TempDir dir;
  const std::string big = random_bytes(fmt::kChunkBytes + 100, 4);
  {
    auto store = open_store(dir.path());
    REQUIRE(store->write(Seq{10}, "ten").is_ok());
    REQUIRE(store->write(Seq{20}, big).is_ok());
  }
  SUBCASE("a changed chunk fails the checksum") {
    with_raw_db(dir.path(), [&](rocksdb::DB& db) {
      std::string chunk = big.substr(fmt::kChunkBytes);
      chunk[3] ^= 0x01;
      REQUIRE(db.Put({}, chunk_key(20, 1), chunk).ok());
    });
    auto store = open_store(dir.path());
    SnapshotStore::Report report;
    auto found = newest(*store, report);
    REQUIRE(found.has_value());
    CHECK(found->seq == Seq{10});
    REQUIRE(report.size() == 1);
    CHECK(mentions(report, "seq 20: checksum mismatch"));
  }
  SUBCASE("a missing chunk") {
    with_raw_db(dir.path(), [](rocksdb::DB& db) { REQUIRE(db.Delete({}, chunk_key(20, 0)).ok()); });
    auto store = open_store(dir.path());
    SnapshotStore::Report report;
    CHECK(newest(*store, report)->seq == Seq{10});
    CHECK(mentions(report, "missing chunk"));
  }
  SUBCASE("a truncated chunk") {
    with_raw_db(dir.path(), [&](rocksdb::DB& db) {
      REQUIRE(db.Put({}, chunk_key(20, 0), big.substr(0, 1000)).ok());
    });
    auto store = open_store(dir.path());
    SnapshotStore::Report report;
    CHECK(newest(*store, report)->seq == Seq{10});
    CHECK(mentions(report, "short chunk"));
  }
  SUBCASE("a manifest that is cut short, or claims an absurd size, or names another seq") {
    with_raw_db(dir.path(), [](rocksdb::DB& db) {
      std::string manifest;
      REQUIRE(db.Get({}, manifest_key(20), &manifest).ok());
      std::string huge = manifest;
      huge.replace(16, 8, std::string(8, '\x7f'));           // payload bytes
      REQUIRE(db.Put({}, manifest_key(30), manifest).ok());  // says seq 20
      REQUIRE(db.Put({}, manifest_key(40), huge).ok());
      REQUIRE(db.Put({}, manifest_key(20), manifest.substr(0, 59)).ok());
    });
    auto store = open_store(dir.path());
    SnapshotStore::Report report;
    CHECK(newest(*store, report)->seq == Seq{10});
    CHECK(report.size() == 3);
    CHECK(mentions(report, "seq 40: bad manifest"));
    CHECK(mentions(report, "seq 30: bad manifest"));
    CHECK(mentions(report, "seq 20: bad manifest"));
  }
  SUBCASE("every snapshot damaged: none is returned, each is reported") {
    with_raw_db(dir.path(), [](rocksdb::DB& db) {
      REQUIRE(db.Put({}, chunk_key(10, 0), "TEN").ok());
      REQUIRE(db.Delete({}, chunk_key(20, 1)).ok());
    });
    auto store = open_store(dir.path());
    SnapshotStore::Report report;
    CHECK_FALSE(newest(*store, report).has_value());
    CHECK(report.size() == 2);
  }
}

// Flips one byte in the middle of a file.
void flip_middle_byte(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "r+b");
  REQUIRE(file != nullptr);
  const long middle = static_cast<long>(std::filesystem::file_size(path) / 2);
  std::fseek(file, middle, SEEK_SET);
  const int byte = std::fgetc(file);
  std::fseek(file, middle, SEEK_SET);
  std::fputc(byte ^ 0x20, file);
  std::fclose(file);
}

std::filesystem::path newest_blob_file(const std::string& directory) {
  std::filesystem::path newest;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".blob" && entry.path() > newest) newest = entry.path();
  }
  return newest;
}

TEST_CASE("a damaged file on disk makes its snapshot unreadable, never trusted") {
  TempDir dir;
  const auto flush = [&] {
    with_raw_db(dir.path(), [](rocksdb::DB& db) { REQUIRE(db.Flush({}).ok()); });
  };
  for (std::uint64_t seq : {10, 20}) {  // one flush, so one blob file, per snapshot
    REQUIRE(open_store(dir.path())
                ->write(Seq{seq}, random_bytes(fmt::kChunkBytes, unsigned(seq)))
                .is_ok());
    flush();
  }
  const std::filesystem::path blob = newest_blob_file(dir.path());
  REQUIRE_FALSE(blob.empty());
  flip_middle_byte(blob);
  auto store = open_store(dir.path());
  SnapshotStore::Report report;
  auto found = newest(*store, report);
  REQUIRE(found.has_value());
  CHECK(found->seq == Seq{10});
  REQUIRE(report.size() == 1);
  CHECK(mentions(report, "seq 20"));
}

TEST_CASE("prune keeps the newest N and gives the space back") {
  TempDir dir;
  auto store = open_store(dir.path());
  const std::size_t payload_bytes = 3 * fmt::kChunkBytes;
  for (std::uint64_t seq = 1; seq <= 12; ++seq) {
    REQUIRE(store->write(Seq{seq * 100}, random_bytes(payload_bytes, unsigned(seq))).is_ok());
    REQUIRE(store->prune(2).is_ok());
  }
  auto seqs = store->list();
  REQUIRE(seqs.value().size() == 2);
  CHECK(seqs.value()[0] == Seq{1100});
  CHECK(seqs.value()[1] == Seq{1200});
  SnapshotStore::Report report;
  CHECK(newest(*store, report)->seq == Seq{1200});
  CHECK(store->read(Seq{1100}).is_ok());
  CHECK(store->read(Seq{1000}).status().code() == Status::Code::kNotFound);
  // Twelve snapshots were written; what stays on disk is about the two kept (plus the log of
  // the last write), not all twelve.
  CHECK(directory_bytes(dir.path()) < 5 * payload_bytes);

  REQUIRE(store->prune(0).is_ok());
  CHECK(store->list().value().empty());
  CHECK_FALSE(newest(*store, report).has_value());
}

TEST_CASE("a read-only store reads, refuses to write, and needs the store to exist") {
  TempDir dir;
  auto writable = open_store(dir.path());
  REQUIRE(writable->write(Seq{3}, "three").is_ok());
  SnapshotStoreOptions read_only;
  read_only.read_only = true;
  {
    auto store = open_store(dir.path(), read_only);  // while the writable one is open
    SnapshotStore::Report report;
    CHECK(newest(*store, report)->payload == "three");
    CHECK(store->write(Seq{4}, "four").code() == Status::Code::kInvalidArgument);
    CHECK(store->prune(0).code() == Status::Code::kInvalidArgument);
  }
  CHECK_FALSE(SnapshotStore::open(dir.sub("absent"), read_only).is_ok());
  CHECK_FALSE(std::filesystem::exists(dir.sub("absent")));
}
