package dev.smoothguard.auditor.stream;

import dev.smoothguard.schemas.v1.AuditFailure;
import dev.smoothguard.schemas.v1.CertifiedPrediction;

/** What the audit step made of one input record: a certificate or a dead-letter record. */
public sealed interface Outcome {
  record Certified(CertifiedPrediction prediction) implements Outcome {}

  record Failed(AuditFailure failure) implements Outcome {}
}
