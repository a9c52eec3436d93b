package dev.smoothguard.schemas.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.RobustnessSummary;
import java.io.IOException;
import java.io.InputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * The contracts only grow: today's AuditFailure and RobustnessSummary read what the previous
 * version wrote (new fields take their defaults) and the previous version reads what today's writes
 * (new fields are skipped, a new enum symbol reads as UNKNOWN). The previous versions are kept as
 * test resources.
 */
class ContractEvolutionTest {
  private static Schema before(String file) throws IOException {
    Schema.Parser parser = new Schema.Parser();
    try (InputStream modelRef =
        ContractEvolutionTest.class.getResourceAsStream(
            "/contracts/before-issue10/ModelRef.avsc")) {
      parser.parse(modelRef);
    }
    try (InputStream in =
        ContractEvolutionTest.class.getResourceAsStream("/contracts/before-issue10/" + file)) {
      return parser.parse(in);
    }
  }

  private static void compatibleBothWays(Schema old, Schema now) {
    assertEquals(
        SchemaCompatibilityType.COMPATIBLE,
        SchemaCompatibility.checkReaderWriterCompatibility(now, old).getType(),
        "new reader, old data");
    assertEquals(
        SchemaCompatibilityType.COMPATIBLE,
        SchemaCompatibility.checkReaderWriterCompatibility(old, now).getType(),
        "old reader, new data");
  }

  @Test
  void auditFailureGrowsCompatibly() throws IOException {
    compatibleBothWays(before("AuditFailure.avsc"), AuditFailure.getClassSchema());
  }

  @Test
  void robustnessSummaryGrowsCompatibly() throws IOException {
    compatibleBothWays(before("RobustnessSummary.avsc"), RobustnessSummary.getClassSchema());
  }
}
