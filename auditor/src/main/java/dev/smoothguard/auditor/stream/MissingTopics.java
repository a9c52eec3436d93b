package dev.smoothguard.auditor.stream;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The service's topic creation (topics.create=true): creates what is missing, tolerates a peer
 * doing the same.
 */
final class MissingTopics {
  private MissingTopics() {}

  /** Creates the missing topics among names; returns those it created. */
  static List<String> create(
      Admin admin, Collection<String> names, int partitions, short replication) {
    try {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (String n : names) {
        if (!existing.contains(n)) missing.add(new NewTopic(n, partitions, replication));
      }
      List<String> created = new ArrayList<>();
      for (NewTopic t : missing) {
        try {
          admin.createTopics(List.of(t)).all().get();
          created.add(t.name());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException))
            throw e; // a peer instance was faster
        }
      }
      return created;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topics " + names + ": " + rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
