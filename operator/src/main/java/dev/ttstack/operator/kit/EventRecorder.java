package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on a TTStack ({@code kubectl describe tts} shows them). Callers pass reasons
 * and messages that never contain a secret value. A failure to record is logged, never fatal.
 */
public final class EventRecorder {
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final Clock clock;

  public EventRecorder(Clock clock) {
    this.clock = clock;
  }

  public void record(
      KubernetesClient client, TTStack stack, String type, String reason, String message) {
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(stack.getMetadata().getName() + ".")
            .withNamespace(stack.getMetadata().getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(stack.getApiVersion())
                    .withKind(stack.getKind())
                    .withName(stack.getMetadata().getName())
                    .withNamespace(stack.getMetadata().getNamespace())
                    .withUid(stack.getMetadata().getUid())
                    .withResourceVersion(stack.getMetadata().getResourceVersion())
                    .build())
            .withType(type)
            .withReason(reason)
            .withMessage(message.length() > 1000 ? message.substring(0, 1000) + "…" : message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(StackLabels.OPERATOR)
            .endSource()
            .withReportingComponent(StackLabels.OPERATOR)
            .build();
    try {
      client.v1().events().inNamespace(stack.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not record event {} on TTStack {}/{}: HTTP {}",
          reason,
          stack.getMetadata().getNamespace(),
          stack.getMetadata().getName(),
          e.getCode());
    }
  }
}
