package dev.smoothguard.auditor.stream;

import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.serde.AvroDeserializer;
import dev.smoothguard.schemas.serde.AvroSerde;
import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;
import dev.smoothguard.schemas.v1.ImageEvent;
import dev.smoothguard.schemas.v1.RobustnessSummary;

/** The registry-backed serdes of the four public topics, built once from one registry client. */
public record AuditSerdes(
    AvroDeserializer<ImageEvent> images,
    AvroSerde<CertifiedPrediction> predictions,
    AvroSerde<AuditFailure> failures,
    AvroSerde<RobustnessSummary> summaries) {

  public static AuditSerdes of(RegistryClient registry) {
    return new AuditSerdes(
        AvroDeserializer.specific(registry, ImageEvent.class),
        AvroSerde.specific(registry, CertifiedPrediction.class, false),
        AvroSerde.specific(registry, AuditFailure.class, false),
        AvroSerde.specific(registry, RobustnessSummary.class, false));
  }
}
