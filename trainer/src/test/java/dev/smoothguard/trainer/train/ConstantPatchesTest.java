package dev.smoothguard.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.smoothguard.trainer.model.DmaeModel;
import dev.smoothguard.trainer.model.Init;
import dev.smoothguard.trainer.model.VitConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fashion-MNIST has all-black patches (variance 0). The per-patch normalised target must stay
 * finite there (MAE's eps under the square root), and the DMAE loss on such images must give a
 * finite gradient to every parameter.
 */
class ConstantPatchesTest {
  @Test
  void aConstantPatchNormalisesToZeros() {
    float[] patches = {0f, 0f, 0f, 0f, 0.5f, 0.5f, 0.5f, 0.5f};
    Pretraining.normalisePatches(patches, 2, 4);
    assertArrayEquals(new float[8], patches);
  }

  @Test
  void allBlackImagesGiveFiniteGradientsToEveryParameter() {
    VitConfig cfg = VitConfig.named("tiny");
    int b = 2;
    int l = cfg.numPatches();
    int keep = l / 4;
    Engine.getInstance().setRandomSeed(3);
    try (NDManager m = NDManager.newBaseManager()) {
      DmaeModel model = new DmaeModel(cfg);
      Init.MAE.applyTo(model);
      model.initialize(
          m,
          DataType.FLOAT32,
          new Shape(1, cfg.channels(), cfg.imageSize(), cfg.imageSize()),
          new Shape(1, keep),
          new Shape(1, l));
      long[] keepIdx = new long[b * keep];
      long[] restore = new long[b * l];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < keep; j++) keepIdx[i * keep + j] = j;
        for (int j = 0; j < l; j++) restore[i * l + j] = j;
      }
      float[] targets = new float[b * l * cfg.patchDim()];
      Pretraining.normalisePatches(targets, b * l, cfg.patchDim());
      List<Pair<String, Parameter>> params = Checkpoint.trainable(model);
      try (NDManager step = m.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDList inputs =
            new NDList(
                step.zeros(new Shape(b, cfg.channels(), cfg.imageSize(), cfg.imageSize())),
                step.create(keepIdx, new Shape(b, keep)),
                step.create(restore, new Shape(b, l)));
        NDArray pred =
            model.forward(new ParameterStore(step, false), inputs, true).singletonOrThrow();
        NDArray loss =
            pred.sub(step.create(targets, new Shape(b, l, cfg.patchDim()))).square().mean();
        gc.backward(loss);
        assertTrue(Float.isFinite(loss.getFloat()));
      }
      List<NDArray> grads = new ArrayList<>();
      for (Pair<String, Parameter> p : params) grads.add(p.getValue().getArray().getGradient());
      double[] sq = Gradients.squaredNorms(grads);
      List<String> names = params.stream().map(Pair::getKey).toList();
      assertEquals(List.of(), Gradients.nonFinite(names, sq));
      grads.forEach(NDArray::close);
    }
  }
}
