package dev.smoothguard.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.smoothguard.smoothing.errors.UserError;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * AdamW as PyTorch's {@code torch.optim.AdamW} computes it, with parameter groups: per parameter a
 * learning-rate multiplier (layer-wise decay) and a weight decay (0 for biases, norms and tokens).
 * For each update of a parameter with gradient g at step t (counted per parameter) and group rate
 * lr = scheduled rate × lrScale:
 *
 * <pre>
 *   w ← w · (1 − lr·wd)                       (decoupled weight decay)
 *   m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²
 *   w ← w − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
 * </pre>
 *
 * <p>DJL's own AdamW has one weight decay for all parameters and keeps its moments private; this
 * one keeps its state (m, v, t per parameter, by name) where {@link #save} and {@link #load} write
 * and read it exactly, so a resumed run continues bit for bit.
 */
public final class AdamW extends Optimizer {
  private static final int FORMAT = 1;
  private static final String MAGIC = "smoothguard-adamw";

  private final Tracker rate;
  private final float beta1;
  private final float beta2;
  private final float eps;
  private final Map<String, ParameterSpec> byId = new HashMap<>();
  private final Map<String, State> state = new HashMap<>();

  /** One parameter's moments and update count. */
  private static final class State {
    long step;
    final NDArray m;
    final NDArray v;

    State(long step, NDArray m, NDArray v) {
      this.step = step;
      this.m = m;
      this.v = v;
    }
  }

  private AdamW(Builder b) {
    super(b);
    rate = b.rate;
    beta1 = b.beta1;
    beta2 = b.beta2;
    eps = b.eps;
    for (Pair<Parameter, ParameterSpec> p : b.groups) byId.put(p.getKey().getId(), p.getValue());
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    ParameterSpec spec = byId.get(parameterId);
    if (spec == null) throw new IllegalStateException("parameter " + parameterId + " has no group");
    State s =
        state.computeIfAbsent(
            spec.name(), n -> new State(0, weight.zerosLike(), weight.zerosLike()));
    s.step++;
    double lr = rate.getNewValue(0) * spec.lrScale();
    double bc1 = 1 - Math.pow(beta1, s.step);
    double bc2 = 1 - Math.pow(beta2, s.step);
    if (spec.weightDecay() > 0) weight.muli((float) (1 - lr * spec.weightDecay()));
    try (NDArray g1 = grad.mul(1 - beta1);
        NDArray g2 = grad.square()) {
      s.m.muli(beta1).addi(g1);
      s.v.muli(beta2).addi(g2.muli(1 - beta2));
    }
    try (NDArray denom = s.v.sqrt();
        NDArray step = s.m.duplicate()) {
      denom.divi((float) Math.sqrt(bc2)).addi(eps);
      step.divi(denom).muli((float) (lr / bc1));
      weight.subi(step);
    }
  }

  /** The update count of a parameter (0 before its first update). */
  public long step(String parameterName) {
    State s = state.get(parameterName);
    return s == null ? 0 : s.step;
  }

  /** Writes every parameter's t, m and v (float32, exact) to {@code file}, atomically. */
  public void save(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
      out.writeUTF(MAGIC);
      out.writeInt(FORMAT);
      out.writeFloat(beta1);
      out.writeFloat(beta2);
      out.writeFloat(eps);
      Map<String, State> sorted = new TreeMap<>(state);
      out.writeInt(sorted.size());
      for (Map.Entry<String, State> e : sorted.entrySet()) {
        State s = e.getValue();
        out.writeUTF(e.getKey());
        out.writeLong(s.step);
        long[] dims = s.m.getShape().getShape();
        out.writeInt(dims.length);
        for (long d : dims) out.writeLong(d);
        writeFloats(out, s.m.toFloatArray());
        writeFloats(out, s.v.toFloatArray());
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Restores the state {@link #save} wrote, creating the moments in {@code manager}. Fails if the
   * file was written for other parameters, shapes or betas.
   */
  public void load(Path file, NDManager manager) throws IOException {
    Map<String, ParameterSpec> byName = new HashMap<>();
    for (ParameterSpec p : byId.values()) byName.put(p.name(), p);
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      if (!MAGIC.equals(in.readUTF()) || in.readInt() != FORMAT) {
        throw new UserError(file + ": not an optimiser state file of this version");
      }
      float b1 = in.readFloat(), b2 = in.readFloat(), e = in.readFloat();
      if (b1 != beta1 || b2 != beta2 || e != eps) {
        throw new UserError(
            file
                + ": saved with betas ("
                + b1
                + ", "
                + b2
                + "), eps "
                + e
                + " but this run uses ("
                + beta1
                + ", "
                + beta2
                + "), eps "
                + eps);
      }
      int n = in.readInt();
      Map<String, State> loaded = new HashMap<>();
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        long step = in.readLong();
        long[] dims = new long[in.readInt()];
        for (int d = 0; d < dims.length; d++) dims[d] = in.readLong();
        Shape shape = new Shape(dims);
        float[] m = readFloats(in, shape.size());
        float[] v = readFloats(in, shape.size());
        if (!byName.containsKey(name)) {
          throw new UserError(
              file
                  + ": state for unknown parameter "
                  + name
                  + " (not this model's optimiser state)");
        }
        loaded.put(name, new State(step, manager.create(m, shape), manager.create(v, shape)));
      }
      state
          .values()
          .forEach(
              s -> {
                s.m.close();
                s.v.close();
              });
      state.clear();
      state.putAll(loaded);
    }
  }

  private static void writeFloats(DataOutputStream out, float[] xs) throws IOException {
    for (float x : xs) out.writeInt(Float.floatToRawIntBits(x));
  }

  private static float[] readFloats(DataInputStream in, long n) throws IOException {
    float[] xs = new float[Math.toIntExact(n)];
    for (int i = 0; i < xs.length; i++) xs[i] = Float.intBitsToFloat(in.readInt());
    return xs;
  }

  /** Builds an {@link AdamW}; the learning rate comes from a tracker read at every update. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private Tracker rate;
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float eps = 1e-8f;
    private List<Pair<Parameter, ParameterSpec>> groups = List.of();

    public Builder learningRate(Tracker rate) {
      this.rate = rate;
      return this;
    }

    public Builder betas(double beta1, double beta2) {
      this.beta1 = (float) beta1;
      this.beta2 = (float) beta2;
      return this;
    }

    public Builder eps(double eps) {
      this.eps = (float) eps;
      return this;
    }

    /** The trainable parameters with their groups; updates of any other parameter fail. */
    public Builder groups(List<Pair<Parameter, ParameterSpec>> groups) {
      this.groups = List.copyOf(groups);
      return this;
    }

    @Override
    protected Builder self() {
      return this;
    }

    public AdamW build() {
      if (rate == null) throw new IllegalStateException("no learning rate tracker");
      return new AdamW(this);
    }
  }
}
