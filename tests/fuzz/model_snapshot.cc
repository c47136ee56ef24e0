// Write-model snapshot decoding: a ModelSnapshot image parsed and decoded into a model as
// load_model does (model_snapshots.cc); any bytes give a model or an error. A model that
// decodes encodes back to an image that decodes to the same model digest.
#include "model_codec.h"
#include "targets.h"
#include "verify.h"
#include "write_model.pb.h"

namespace turno::fuzz {

void model_snapshot(std::string_view input) {
  v1::ModelSnapshot image;
  if (!image.ParseFromString(std::string(input))) return;
  const Result<Model> model = decode_model(image.model());
  if (!model.is_ok()) return;
  const Result<Model> again = decode_model(encode_model(model.value()));
  VERIFY(again.is_ok(), "a decoded model encodes to an image that decodes");
  VERIFY(model_digest(again.value()) == model_digest(model.value()), "and to the same model");
}

}  // namespace turno::fuzz
