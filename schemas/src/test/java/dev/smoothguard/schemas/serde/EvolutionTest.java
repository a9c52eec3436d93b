package dev.smoothguard.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smoothguard.devstack.EmbeddedRegistry;
import dev.smoothguard.schemas.registry.Compatibility;
import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import dev.smoothguard.schemas.testing.Samples;
import dev.smoothguard.schemas.testing.SharedRegistry;
import dev.smoothguard.schemas.v1.FailureReason;
import dev.smoothguard.schemas.v1.ImageEvent;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schema evolution under the registry's BACKWARD_TRANSITIVE rule: a new optional field is accepted
 * and old and new readers read each other's data; breaking changes are refused with a 409 that
 * names the subject.
 */
@ExtendWith(SharedRegistry.class)
class EvolutionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RegistryClient client;

  @BeforeAll
  static void connect(EmbeddedRegistry registry) {
    client = new RegistryClient(RegistryConfig.of(registry.url()));
  }

  /** ImageEvent v1 plus one field appended, as a later version of the contract would add it. */
  private static Schema withField(Schema schema, String fieldJson) throws IOException {
    ObjectNode tree = (ObjectNode) JSON.readTree(schema.toString());
    ((ArrayNode) tree.get("fields")).add(JSON.readTree(fieldJson));
    return new Schema.Parser().parse(tree.toString());
  }

  private static GenericRecord asV2(ImageEvent v1, Schema v2, Object priority) {
    GenericRecordBuilder b = new GenericRecordBuilder(v2);
    for (Schema.Field f : ImageEvent.getClassSchema().getFields()) {
      Object value = v1.get(f.pos());
      if (f.name().equals("eventTime")) {
        value = v1.getEventTime().toEpochMilli(); // generic records carry the raw long
      } else if (value instanceof Enum<?> e) {
        value = new GenericData.EnumSymbol(v2.getField(f.name()).schema(), e.name());
      }
      b.set(f.name(), value);
    }
    return b.set("priority", priority).build();
  }

  @Test
  void newOptionalFieldIsBackwardCompatibleBothWays() throws IOException {
    String topic = "evo-images";
    Schema v2 =
        withField(
            ImageEvent.getClassSchema(),
            "{\"name\":\"priority\",\"type\":[\"null\",\"int\"],\"default\":null,\"doc\":\"added in v2\"}");
    assertEquals(Compatibility.BACKWARD_TRANSITIVE, client.compatibility(topic + "-value"));

    // an old producer writes v1 with the generated class
    AvroSerde<ImageEvent> v1Serde = AvroSerde.specific(client, ImageEvent.class, false);
    byte[] oldBytes = v1Serde.serializer().serialize(topic, Samples.image());
    // a new producer writes v2: the registry accepts the new version under the same subject
    AvroSerde<GenericRecord> v2Serde = AvroSerde.generic(client, v2, false);
    byte[] newBytes = v2Serde.serializer().serialize(topic, asV2(Samples.image(), v2, 7));
    assertNotEquals(schemaId(oldBytes), schemaId(newBytes), "v2 got its own schema id");

    // old reader (the generated v1 class) reads new data: the extra field is skipped
    assertEquals(Samples.image(), v1Serde.deserializer().deserialize(topic, newBytes));
    // new reader reads old data: the new field takes its default
    GenericRecord upgraded = v2Serde.deserializer().deserialize(topic, oldBytes);
    assertNull(upgraded.get("priority"));
    assertEquals("fmnist-test-00042", upgraded.get("id").toString());
    // and its own data
    assertEquals(7, v2Serde.deserializer().deserialize(topic, newBytes).get("priority"));
  }

  @Test
  void incompatibleChangeIsRejectedWithAClearError() throws IOException {
    String topic = "evo-breaking";
    new AvroSerializer<ImageEvent>(client, false).serialize(topic, Samples.image());
    // a new required field without a default: new readers could not read old data
    Schema breaking =
        withField(ImageEvent.getClassSchema(), "{\"name\":\"priority\",\"type\":\"int\"}");
    GenericRecord record = asV2(Samples.image(), breaking, 1);

    IncompatibleSchemaException e =
        assertThrows(
            IncompatibleSchemaException.class,
            () -> new AvroSerializer<GenericRecord>(client, false).serialize(topic, record));
    assertEquals(SerdeException.Reason.INCOMPATIBLE_SCHEMA, e.reason());
    assertEquals(409, e.status());
    assertEquals(topic + "-value", e.subject().orElseThrow());
    assertEquals(topic, e.topic().orElseThrow());
    assertTrue(
        e.getMessage().contains("incompatible with subject 'evo-breaking-value'"), e.getMessage());
    assertTrue(e.getMessage().contains("dev.smoothguard.schemas.v1.ImageEvent"), e.getMessage());
    assertEquals(FailureReason.PRODUCTION_ERROR, e.failureReason());
    assertFalse(e.isTransient());
  }

  /**
   * v2 adds a field with a default; v3 drops the default. v3 can read v2 data (BACKWARD against the
   * latest passes) but not v1 data, so BACKWARD_TRANSITIVE must refuse it.
   */
  @Test
  void compatibilityIsCheckedAgainstEveryEarlierVersion() throws IOException {
    String subject = "evo-transitive-value";
    Schema v1 = ImageEvent.getClassSchema();
    Schema v2 = withField(v1, "{\"name\":\"priority\",\"type\":\"int\",\"default\":0}");
    Schema v3 = withField(v1, "{\"name\":\"priority\",\"type\":\"int\"}");
    client.register(subject, v1, null);
    client.register(subject, v2, null);
    assertThrows(IncompatibleSchemaException.class, () -> client.register(subject, v3, null));
  }

  private static int schemaId(byte[] bytes) {
    return WireFormat.schemaId(bytes, "t");
  }
}
