package dev.smoothguard.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.smoothguard.trainer.model.DmaeModel;
import dev.smoothguard.trainer.model.VitClassifier;
import dev.smoothguard.trainer.model.VitConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Weight-decay groups and layer-wise rates of the real tiny ViT's parameters, by name. */
class ParameterGroupsTest {
  private static final double D = 0.65;

  @Test
  void classifierGroupsFollowTheReference() {
    try (NDManager m = NDManager.newBaseManager()) {
      VitConfig cfg = VitConfig.TINY; // depth 6: head and final norms at layer 7
      VitClassifier model = new VitClassifier(cfg, 10);
      model.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      Map<String, ParameterSpec> specs = specs(model.getParameters(), cfg.depth(), 0.05, D);
      check(specs, "01encoder_cls_token", 0, 0);
      check(specs, "01encoder_01patch_embed_weight", 0, 0.05);
      check(specs, "01encoder_01patch_embed_bias", 0, 0);
      check(specs, "01encoder_02block0_02qkv_weight", 1, 0.05);
      check(specs, "01encoder_02block0_01norm1_gamma", 1, 0);
      check(specs, "01encoder_04block2_05fc1_weight", 3, 0.05);
      check(specs, "01encoder_07block5_06fc2_bias", 6, 0);
      check(specs, "01encoder_08norm_gamma", 7, 0);
      check(specs, "02head_weight", 7, 0.05);
      check(specs, "02head_bias", 7, 0);
      // scale = decay^(depth + 1 - layer): the head learns at the full rate, the embedding at
      // 0.65^7
      assertEquals(1.0, specs.get("02head_weight").lrScale(), 1e-12);
      assertEquals(Math.pow(D, 7), specs.get("01encoder_cls_token").lrScale(), 1e-12);
      assertEquals(Math.pow(D, 6), specs.get("01encoder_02block0_02qkv_weight").lrScale(), 1e-12);
      assertEquals(D, specs.get("01encoder_07block5_06fc2_bias").lrScale(), 1e-12);
    }
  }

  @Test
  void preTrainingDecaysNeitherTokensNorVectorsAndUsesOneRate() {
    try (NDManager m = NDManager.newBaseManager()) {
      VitConfig cfg = VitConfig.TINY;
      DmaeModel model = new DmaeModel(cfg);
      model.initialize(
          m, DataType.FLOAT32, new Shape(1, 1, 28, 28), new Shape(1, 4), new Shape(1, 16));
      Map<String, ParameterSpec> specs = specs(model.getParameters(), cfg.depth(), 0.05, 1.0);
      assertEquals(0, specs.get("02decoder_mask_token").weightDecay());
      assertEquals(0, specs.get("01encoder_cls_token").weightDecay());
      assertEquals(0.05, specs.get("02decoder_01embed_weight").weightDecay());
      assertEquals(0.05, specs.get("02decoder_02block0_02qkv_weight").weightDecay());
      assertEquals(0, specs.get("02decoder_02block0_02qkv_bias").weightDecay());
      // decoder blocks are not encoder blocks: they sit after the encoder (layer depth+1)
      assertEquals(7, specs.get("02decoder_02block0_02qkv_weight").layerId());
      specs.values().forEach(s -> assertEquals(1.0, s.lrScale(), 1e-12, s.name()));
    }
  }

  @Test
  void namesAndShapesAlone() {
    assertEquals(true, ParameterGroups.noWeightDecay("x_pos_embed", 3));
    assertEquals(true, ParameterGroups.noWeightDecay("anything_bias", 1));
    assertEquals(false, ParameterGroups.noWeightDecay("anything_weight", 2));
    assertEquals(12, ParameterGroups.layerId("01encoder_12block11_02qkv_weight", 12));
    assertEquals(0, ParameterGroups.layerId("01encoder_pos_embed", 12));
  }

  private static Map<String, ParameterSpec> specs(
      Iterable<Pair<String, Parameter>> all, int depth, double wd, double decay) {
    List<Pair<String, Parameter>> params = new ArrayList<>();
    all.forEach(params::add);
    Map<String, ParameterSpec> out = new HashMap<>();
    for (Pair<Parameter, ParameterSpec> p : ParameterGroups.forVit(params, depth, wd, decay)) {
      out.put(p.getValue().name(), p.getValue());
    }
    return out;
  }

  private static void check(Map<String, ParameterSpec> specs, String name, int layer, double wd) {
    ParameterSpec s = specs.get(name);
    assertEquals(layer, s.layerId(), name);
    assertEquals(wd, s.weightDecay(), name);
  }
}
