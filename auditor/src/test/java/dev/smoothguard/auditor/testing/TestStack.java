package dev.smoothguard.auditor.testing;

import dev.smoothguard.devstack.EmbeddedStack;
import dev.smoothguard.devstack.FileTrees;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.smoothing.onnx.BuiltinModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real broker + registry, and one small ONNX model, shared by every test class of this JVM
 * (starting them costs seconds); stopped and deleted by a shutdown hook when the JVM ends.
 */
public final class TestStack {
  private static EmbeddedStack stack;
  private static Path modelDir;

  private TestStack() {}

  public static synchronized EmbeddedStack get() {
    if (stack == null) {
      stack = EmbeddedStack.start(0, 0);
    }
    return stack;
  }

  public static RegistryClient registry() {
    return new RegistryClient(RegistryConfig.of(get().registryUrl()));
  }

  /** An untrained MNIST-sized MLP ([N,1,28,28] -> 10 logits): fast, and real ONNX Runtime. */
  public static synchronized Path model() {
    if (modelDir == null) {
      try {
        modelDir = Files.createTempDirectory("smoothguard-auditor-test-model-");
        BuiltinModels.write("mnist-mlp", modelDir.resolve("mnist-mlp.onnx"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return modelDir.resolve("mnist-mlp.onnx");
  }

  /** Stops the stack and deletes the model; called once when the whole test run ends. */
  static synchronized void closeAll() {
    if (stack != null) stack.close();
    stack = null;
    FileTrees.deleteRecursively(modelDir);
    modelDir = null;
  }

  /**
   * Put on every test class that uses the stack: closes it when the test run ends (JUnit's root
   * store), not in a JVM shutdown hook that the test runner may cut short.
   */
  public static final class Cleanup implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
      context
          .getRoot()
          .getStore(ExtensionContext.Namespace.GLOBAL)
          .getOrComputeIfAbsent(
              TestStack.class.getName(),
              k -> (ExtensionContext.Store.CloseableResource) TestStack::closeAll);
    }
  }

  /** The sample images shipped in data/ (tests run in auditor/). */
  public static String sampleData() {
    Path p = Path.of("../data/fashion-mnist-sample");
    if (!Files.isDirectory(p)) p = Path.of("data/fashion-mnist-sample");
    return "folder:" + p.toAbsolutePath().normalize();
  }
}
