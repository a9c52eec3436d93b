package dev.smoothguard.trainer.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
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

/** Saves and loads a block's parameters (DJL's format), atomically. */
public final class Weights {
  private Weights() {}

  public static void save(Block block, Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
      block.saveParameters(out);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Loads into an initialised block; the loaded arrays are marked as trainable again. */
  public static void load(Block block, Path file, NDManager manager, boolean trainable)
      throws IOException {
    if (!Files.isRegularFile(file)) throw new UserError("missing weights file " + file);
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      block.loadParameters(manager, in);
    } catch (MalformedModelException e) {
      throw new UserError(file + ": not weights for this model (" + e.getMessage() + ")", e);
    }
    if (trainable) {
      for (Pair<String, Parameter> p : block.getParameters()) {
        if (p.getValue().requiresGradient()) p.getValue().getArray().setRequiresGradient(true);
      }
    }
  }
}
