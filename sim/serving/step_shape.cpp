#include "sim/serving/step_shape.h"

#include <algorithm>

namespace moeplan::serving {

int decode_tokens_per_request(const config::Scenario& sc) {
  return sc.model.mtp_layers > 0 && sc.serving().mtp_acceptance > 0 ? 2 : 1;
}

double output_tokens_per_step(const config::Scenario& sc) {
  return decode_tokens_per_request(sc) == 2 ? 1.0 + sc.serving().mtp_acceptance : 1.0;
}

StepShape make_step(const config::Scenario& sc, int requests, int new_tokens, int cached_tokens) {
  StepShape s;
  s.phase = sc.serving().phase;
  s.requests = requests;
  s.new_tokens = new_tokens;
  s.cached_tokens = cached_tokens;
  s.micro_batches = std::max(1, std::min(sc.serving().micro_batches, requests));
  return s;
}

StepShape nominal_step(const config::Scenario& sc) {
  const auto& w = sc.serving();
  if (w.phase == config::ServingPhase::Prefill) return make_step(sc, w.batch, w.prompt_tokens, w.cached_tokens);
  return make_step(sc, w.batch, decode_tokens_per_request(sc), w.context_tokens);
}

cost::MicroBatchShape micro_batch_shape(const StepShape& s) {
  cost::MicroBatchShape mb;
  mb.sequences = s.requests_per_micro_batch();
  mb.sequence_length = s.new_tokens;
  mb.cached = s.cached_tokens;
  mb.latent_attention = s.phase == config::ServingPhase::Decode;
  return mb;
}

}  // namespace moeplan::serving
