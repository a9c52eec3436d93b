package dev.smoothguard.schemas.testing;

import dev.smoothguard.devstack.EmbeddedRegistry;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects one real Apicurio registry, started once for the whole test run (7 s) and stopped when
 * the run ends: {@code @ExtendWith(SharedRegistry.class)} and a parameter of type {@link
 * EmbeddedRegistry}.
 */
public final class SharedRegistry implements ParameterResolver {

  /** Wraps the registry so that JUnit closes it with the root context. */
  private record Holder(EmbeddedRegistry registry) implements AutoCloseable {
    @Override
    public void close() {
      registry.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedRegistry.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(SharedRegistry.class))
        .getOrComputeIfAbsent("registry", k -> new Holder(EmbeddedRegistry.start()), Holder.class)
        .registry();
  }
}
