package dev.ttstack.operator.api;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The spec cases shared by the validator's unit test ({@link SpecValidatorTest}) and the real API
 * server's test ({@code dev.ttstack.operator.kube.ValidationKubeIT}): one table, so that the twins
 * (the CRD's schema and CEL, and {@link SpecValidator}) are judged on exactly the same objects.
 */
public final class SpecCases {
  private SpecCases() {}

  /** Every field of the spec set to a valid, non-default value where one exists. */
  public static final String FULL_VALID_YAML =
      """
      apiVersion: ttstack.dev/v1alpha1
      kind: TTStack
      metadata:
        name: tt
        namespace: tt
      spec:
        secrets:
          doppler:
            project: tt-backend
            config: prd
            tokenSecretRef:
              name: doppler-token
              key: serviceToken
            resyncSeconds: 120
            host: https://api.doppler.com
        app:
          image: ghcr.io/acme/tt-backend
          version: "1.4.2"
          replicas: 2
          port: 8080
          profile: prod,metrics
          resources:
            requests: {cpu: 250m, memory: 512Mi}
            limits: {cpu: "1", memory: 1Gi}
          env:
            - {name: JAVA_TOOL_OPTIONS, value: "-XX:MaxRAMPercentage=75"}
            - {name: LOG_LEVEL, value: INFO}
          imagePullSecret: ghcr-pull
          ingress:
            host: api.tt.example.com
            tlsSecret: tt-tls
            className: traefik
          rollout:
            progressDeadlineSeconds: 300
            autoRollback: true
        postgres:
          version: 16
          image: postgres:16.4-alpine
          exporter: {image: "registry.internal:5000/mirror/postgres-exporter:v0.15.0"}
          storage: {size: 20Gi, storageClassName: local-path}
          resources:
            requests: {cpu: 500m, memory: 1Gi}
            limits: {cpu: "2", memory: 2Gi}
          backup:
            enabled: true
            schedule: "30 2 * * *"
            retain: 14
            beforeUpgrade: true
            storage: {size: 50Gi, storageClassName: local-path}
        redis:
          version: 7
          image: redis:7.0.15-alpine
          exporter: {image: "registry.internal:5000/mirror/redis_exporter:v1.62.0-alpine"}
          masters: 3
          replicasPerMaster: 1
          nodeTimeoutMillis: 2000
          storage: {size: 2Gi, storageClassName: local-path}
          resources:
            requests: {cpu: 100m, memory: 256Mi}
            limits: {cpu: 500m, memory: 512Mi}
        monitoring:
          enabled: true
          prometheus:
            image: registry.internal:5000/mirror/prometheus:v2.53.3
            retention: 30d
            storage: {size: 10Gi, storageClassName: local-path}
            resources:
              requests: {cpu: 200m, memory: 512Mi}
              limits: {cpu: "1", memory: 2Gi}
          grafana: {enabled: true, adminPasswordKey: GRAFANA_PASSWORD, image: "ttstack.local/grafana:11.3.0"}
          alertmanager:
            image: ttstack.local/alertmanager:0.27.0
            slack: {channel: "#tt-alerts", webhookKey: SLACK_WEBHOOK_URL}
          alerts: {cpuPercent: 80, memoryPercent: 85, errorRatePercent: 0.5}
        deletionPolicy: Delete
      """;

  /** Only what the schema requires; everything else comes from the Java field initialisers. */
  public static final String MINIMAL_YAML =
      """
      apiVersion: ttstack.dev/v1alpha1
      kind: TTStack
      metadata:
        name: tt
      spec:
        secrets:
          secretRef:
            name: tt-secrets
        app:
          image: ghcr.io/acme/tt-backend
          version: "1.4.2"
      """;

  public static TTStack full() {
    return Serialization.unmarshal(FULL_VALID_YAML, TTStack.class);
  }

  /**
   * A table row: a small mutation of the full valid spec, the one path it breaks, and what the
   * operator's validator says about it.
   */
  public record Invalid(String name, Consumer<TTStack> mutation, String path, String problem) {
    /** The full valid stack with this row's mutation applied: a fresh object on every call. */
    public TTStack stack() {
      TTStack stack = full();
      mutation.accept(stack);
      return stack;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Invalid invalid(
      String name, Consumer<TTStack> mutation, String path, String problem) {
    return new Invalid(name, mutation, path, problem);
  }

  /** The invalid-spec table: each row breaks exactly one field of {@link #full()}. */
  public static List<Invalid> invalidSpecs() {
    return List.of(
        // metadata
        invalid("name missing", s -> s.getMetadata().setName(null), "metadata.name", "is required"),
        invalid(
            "name too long",
            s -> s.getMetadata().setName("t".repeat(33)),
            "metadata.name",
            "must be at most 32 characters, because managed objects are named <name>-<component> (got 33)"),
        invalid(
            "name not DNS",
            s -> s.getMetadata().setName("TT_prod"),
            "metadata.name",
            "DNS-1035 labels"),
        invalid(
            "name starts with a digit",
            s -> s.getMetadata().setName("1tt"),
            "metadata.name",
            "must start with a lower-case letter"),
        invalid(
            "name with a dot",
            s -> s.getMetadata().setName("tt.prod"),
            "metadata.name",
            "must start with a lower-case letter"),
        invalid("spec missing", s -> s.setSpec(null), "spec", "is required"),

        // secrets
        invalid("secrets missing", s -> s.getSpec().secrets = null, "spec.secrets", "is required"),
        invalid(
            "secrets: doppler and secretRef both set",
            s -> s.getSpec().secrets.secretRef = new LocalSecretReference("tt-secrets"),
            "spec.secrets",
            "exactly one of doppler or secretRef, not both"),
        invalid(
            "secrets: neither set",
            s -> s.getSpec().secrets.doppler = null,
            "spec.secrets",
            "exactly one of doppler or secretRef (neither is set)"),
        invalid(
            "secretRef name not DNS",
            s -> {
              s.getSpec().secrets.doppler = null;
              s.getSpec().secrets.secretRef = new LocalSecretReference("Tt_Secrets");
            },
            "spec.secrets.secretRef.name",
            "must match " + Patterns.DNS_SUBDOMAIN + " (got \"Tt_Secrets\")"),
        invalid(
            "doppler host plain http to a remote host",
            s -> s.getSpec().secrets.doppler.host = "http://api.doppler.com",
            "spec.secrets.doppler.host",
            "must match " + Patterns.DOPPLER_HOST),
        invalid(
            "doppler token key with a space",
            s -> s.getSpec().secrets.doppler.tokenSecretRef.key = "service token",
            "spec.secrets.doppler.tokenSecretRef.key",
            "must match " + Patterns.SECRET_KEY),
        invalid(
            "doppler token ref missing",
            s -> s.getSpec().secrets.doppler.tokenSecretRef = null,
            "spec.secrets.doppler.tokenSecretRef",
            "is required"),
        invalid(
            "doppler project missing",
            s -> s.getSpec().secrets.doppler.project = null,
            "spec.secrets.doppler.project",
            "is required"),
        invalid(
            "doppler config empty",
            s -> s.getSpec().secrets.doppler.config = "",
            "spec.secrets.doppler.config",
            "must not be empty"),
        invalid(
            "doppler resync too often",
            s -> s.getSpec().secrets.doppler.resyncSeconds = 5,
            "spec.secrets.doppler.resyncSeconds",
            "must be >= 10 (got 5)"),

        // app
        invalid("app missing", s -> s.getSpec().app = null, "spec.app", "is required"),
        invalid(
            "app image carries a tag",
            s -> s.getSpec().app.image = "ghcr.io/acme/tt-backend:1.4.2",
            "spec.app.image",
            "must match " + Patterns.IMAGE_REPOSITORY),
        invalid(
            "app image too long",
            s -> s.getSpec().app.image = "a".repeat(256),
            "spec.app.image",
            "must have at most 255 characters (got 256)"),
        invalid(
            "app version with a space",
            s -> s.getSpec().app.version = "1.4 beta",
            "spec.app.version",
            "must match " + Patterns.IMAGE_TAG + " (got \"1.4 beta\")"),
        invalid(
            "app version with a trailing newline",
            s -> s.getSpec().app.version = "1.4.2\n",
            "spec.app.version",
            "(got \"1.4.2\\n\")"),
        invalid(
            "app version missing",
            s -> s.getSpec().app.version = null,
            "spec.app.version",
            "is required"),
        invalid(
            "app replicas -1",
            s -> s.getSpec().app.replicas = -1,
            "spec.app.replicas",
            "must be >= 0 (got -1)"),
        invalid(
            "app port 0", s -> s.getSpec().app.port = 0, "spec.app.port", "must be >= 1 (got 0)"),
        invalid(
            "app port 70000",
            s -> s.getSpec().app.port = 70000,
            "spec.app.port",
            "must be <= 65535 (got 70000)"),
        invalid(
            "app profile list with an empty item",
            s -> s.getSpec().app.profile = "prod,,metrics",
            "spec.app.profile",
            "must match " + Patterns.SPRING_PROFILES),
        invalid(
            "app env sets a reserved variable",
            s -> s.getSpec().app.env.get(1).name = "SPRING_DATASOURCE_URL",
            "spec.app.env[1].name",
            "SPRING_DATASOURCE_URL is reserved: the operator sets it itself"),
        // Names the operator sets on the app container besides the SPRING_DATASOURCE_* credentials,
        // and a key it requires in the managed Secret (envFrom): the CRD once let them through.
        invalid(
            "app env sets POSTGRES_DB",
            s -> s.getSpec().app.env.get(1).name = "POSTGRES_DB",
            "spec.app.env[1].name",
            "POSTGRES_DB is reserved: the operator sets it itself"),
        invalid(
            "app env sets SERVER_SHUTDOWN",
            s -> s.getSpec().app.env.get(1).name = "SERVER_SHUTDOWN",
            "spec.app.env[1].name",
            "SERVER_SHUTDOWN is reserved: the operator sets it itself"),
        invalid(
            "app env sets SPRING_DATA_REDIS_TIMEOUT",
            s -> s.getSpec().app.env.get(0).name = "SPRING_DATA_REDIS_TIMEOUT",
            "spec.app.env[0].name",
            "SPRING_DATA_REDIS_TIMEOUT is reserved: the operator sets it itself"),
        invalid(
            "app env sets REDIS_PASSWORD",
            s -> s.getSpec().app.env.get(1).name = "REDIS_PASSWORD",
            "spec.app.env[1].name",
            "REDIS_PASSWORD is reserved: the operator sets it itself"),
        invalid(
            "app env name twice",
            s -> s.getSpec().app.env.add(new EnvVarSpec("JAVA_TOOL_OPTIONS", "-Xmx1g")),
            "spec.app.env[2].name",
            "duplicates spec.app.env[0].name (JAVA_TOOL_OPTIONS): env names must be unique"),
        invalid(
            "app env name twice, the copy past index 9",
            s ->
                s.getSpec().app.env =
                    new ArrayList<>(
                        Stream.concat(
                                IntStream.range(0, 11).mapToObj(i -> new EnvVarSpec("V" + i, "x")),
                                Stream.of(new EnvVarSpec("V3", "y")))
                            .toList()),
            "spec.app.env[11].name",
            "duplicates spec.app.env[3].name (V3): env names must be unique"),
        invalid(
            "app env name starts with a digit",
            s -> s.getSpec().app.env.get(0).name = "1FOO",
            "spec.app.env[0].name",
            "must match " + Patterns.ENV_NAME + " (got \"1FOO\")"),
        invalid(
            "app env name missing",
            s -> s.getSpec().app.env.get(1).name = null,
            "spec.app.env[1].name",
            "is required"),
        invalid(
            "app env null item",
            s -> s.getSpec().app.env.add(null),
            "spec.app.env[2]",
            "must not be null"),
        invalid(
            "app env over 100 items",
            s ->
                s.getSpec().app.env =
                    new ArrayList<>(
                        IntStream.range(0, 101)
                            .mapToObj(i -> new EnvVarSpec("V" + i, "x"))
                            .toList()),
            "spec.app.env",
            "must have at most 100 items (got 101)"),
        invalid(
            "app imagePullSecret not DNS",
            s -> s.getSpec().app.imagePullSecret = "GHCR_pull",
            "spec.app.imagePullSecret",
            "must match " + Patterns.DNS_SUBDOMAIN),
        invalid(
            "app ingress without host",
            s -> s.getSpec().app.ingress.host = null,
            "spec.app.ingress.host",
            "is required"),
        invalid(
            "app ingress host upper case",
            s -> s.getSpec().app.ingress.host = "API.tt.example.com",
            "spec.app.ingress.host",
            "must match " + Patterns.HOSTNAME),
        invalid(
            "app ingress host with scheme",
            s -> s.getSpec().app.ingress.host = "https://api.tt.example.com",
            "spec.app.ingress.host",
            "must match " + Patterns.HOSTNAME),
        invalid(
            "app rollout deadline 10 s",
            s -> s.getSpec().app.rollout.progressDeadlineSeconds = 10,
            "spec.app.rollout.progressDeadlineSeconds",
            "must be >= 30 (got 10)"),
        invalid(
            "app cpu limit below request",
            s -> s.getSpec().app.resources.limits.cpu = "200m",
            "spec.app.resources.limits.cpu",
            "must not be less than requests.cpu (limit 200m < request 250m)"),
        invalid(
            "app cpu in words",
            s -> s.getSpec().app.resources.requests.cpu = "1.5 cores",
            "spec.app.resources.requests.cpu",
            "must match " + Patterns.CPU + " (got \"1.5 cores\")"),
        invalid(
            "app memory in GB words",
            s -> s.getSpec().app.resources.limits.memory = "1 GB",
            "spec.app.resources.limits.memory",
            "must match " + Patterns.MEMORY),

        // postgres
        invalid(
            "postgres version 12",
            s -> s.getSpec().postgres.version = 12,
            "spec.postgres.version",
            "must be >= 14 (got 12)"),
        invalid(
            "postgres version 18",
            s -> s.getSpec().postgres.version = 18,
            "spec.postgres.version",
            "must be <= 17 (got 18)"),
        invalid(
            "postgres image without a tag",
            s -> s.getSpec().postgres.image = "postgres",
            "spec.postgres.image",
            "must match " + Patterns.IMAGE_REFERENCE + " (got \"postgres\")"),
        invalid(
            "postgres exporter image without a tag",
            s ->
                s.getSpec().postgres.exporter.image =
                    "quay.io/prometheuscommunity/postgres-exporter",
            "spec.postgres.exporter.image",
            "must match "
                + Patterns.IMAGE_REFERENCE
                + " (got \"quay.io/prometheuscommunity/postgres-exporter\")"),
        invalid(
            "postgres exporter image too long",
            s -> s.getSpec().postgres.exporter.image = "a".repeat(250) + ":v0.15",
            "spec.postgres.exporter.image",
            "must have at most 255 characters (got 256)"),
        invalid(
            "postgres storage 10GB",
            s -> s.getSpec().postgres.storage.size = "10GB",
            "spec.postgres.storage.size",
            "must match " + Patterns.STORAGE_SIZE + " (got \"10GB\")"),
        invalid(
            "postgres storageClassName with underscore",
            s -> s.getSpec().postgres.storage.storageClassName = "fast_ssd",
            "spec.postgres.storage.storageClassName",
            "must match " + Patterns.DNS_SUBDOMAIN),
        invalid(
            "postgres memory limit below request",
            s -> s.getSpec().postgres.resources.limits.memory = "512Mi",
            "spec.postgres.resources.limits.memory",
            "must not be less than requests.memory (limit 512Mi < request 1Gi)"),
        invalid(
            "backup cron in words",
            s -> s.getSpec().postgres.backup.schedule = "every day at 3",
            "spec.postgres.backup.schedule",
            "must match " + Patterns.CRON),
        invalid(
            "backup cron with four fields",
            s -> s.getSpec().postgres.backup.schedule = "0 3 * *",
            "spec.postgres.backup.schedule",
            "must match " + Patterns.CRON),
        invalid(
            "backup retain 0",
            s -> s.getSpec().postgres.backup.retain = 0,
            "spec.postgres.backup.retain",
            "must be >= 1 (got 0)"),
        invalid(
            "backup storage size negative",
            s -> s.getSpec().postgres.backup.storage.size = "-1Gi",
            "spec.postgres.backup.storage.size",
            "must match " + Patterns.STORAGE_SIZE),

        // redis
        invalid(
            "redis masters 2",
            s -> s.getSpec().redis.masters = 2,
            "spec.redis.masters",
            "must be >= 3 (got 2)"),
        invalid(
            "redis replicasPerMaster 0",
            s -> s.getSpec().redis.replicasPerMaster = 0,
            "spec.redis.replicasPerMaster",
            "must be >= 1 (got 0)"),
        invalid(
            "redis nodeTimeout 100 ms",
            s -> s.getSpec().redis.nodeTimeoutMillis = 100,
            "spec.redis.nodeTimeoutMillis",
            "must be >= 1000 (got 100)"),
        invalid(
            "redis version 6",
            s -> s.getSpec().redis.version = 6,
            "spec.redis.version",
            "must be >= 7 (got 6)"),
        invalid(
            "redis image upper case",
            s -> s.getSpec().redis.image = "Redis:7-alpine",
            "spec.redis.image",
            "must match " + Patterns.IMAGE_REFERENCE),
        invalid(
            "redis exporter image with a space",
            s -> s.getSpec().redis.exporter.image = "oliver006/redis_exporter v1.62.0",
            "spec.redis.exporter.image",
            "must match " + Patterns.IMAGE_REFERENCE),
        invalid(
            "redis memory limit below request (1Gi vs 1000Mi)",
            s -> {
              s.getSpec().redis.resources.requests.memory = "1Gi";
              s.getSpec().redis.resources.limits.memory = "1000Mi";
            },
            "spec.redis.resources.limits.memory",
            "must not be less than requests.memory"),
        invalid(
            "redis cpu limit below request (cores vs millicores)",
            s -> {
              s.getSpec().redis.resources.requests.cpu = "0.5";
              s.getSpec().redis.resources.limits.cpu = "499m";
            },
            "spec.redis.resources.limits.cpu",
            "must not be less than requests.cpu"),

        // monitoring
        invalid(
            "prometheus retention in words",
            s -> s.getSpec().monitoring.prometheus.retention = "15 days",
            "spec.monitoring.prometheus.retention",
            "must match " + Patterns.PROMETHEUS_DURATION + " (got \"15 days\")"),
        invalid(
            "prometheus image with an upper-case repository",
            s -> s.getSpec().monitoring.prometheus.image = "Prom/prometheus:v2.53.3",
            "spec.monitoring.prometheus.image",
            "must match " + Patterns.IMAGE_REFERENCE + " (got \"Prom/prometheus:v2.53.3\")"),
        invalid(
            "alertmanager image with a short digest",
            s -> s.getSpec().monitoring.alertmanager.image = "prom/alertmanager@sha256:abc",
            "spec.monitoring.alertmanager.image",
            "must match " + Patterns.IMAGE_REFERENCE),
        invalid(
            "grafana image with an empty tag",
            s -> s.getSpec().monitoring.grafana.image = "grafana/grafana:",
            "spec.monitoring.grafana.image",
            "must match " + Patterns.IMAGE_REFERENCE),
        invalid(
            "prometheus storage size with unit only",
            s -> s.getSpec().monitoring.prometheus.storage.size = "Gi",
            "spec.monitoring.prometheus.storage.size",
            "must match " + Patterns.STORAGE_SIZE),
        invalid(
            "grafana password key with a slash",
            s -> s.getSpec().monitoring.grafana.adminPasswordKey = "grafana/password",
            "spec.monitoring.grafana.adminPasswordKey",
            "must match " + Patterns.SECRET_KEY),
        invalid(
            "slack channel without #",
            s -> s.getSpec().monitoring.alertmanager.slack.channel = "tt-alerts",
            "spec.monitoring.alertmanager.slack.channel",
            "must match " + Patterns.SLACK_CHANNEL + " (got \"tt-alerts\")"),
        invalid(
            "slack channel missing",
            s -> s.getSpec().monitoring.alertmanager.slack.channel = null,
            "spec.monitoring.alertmanager.slack.channel",
            "is required"),
        invalid(
            "slack webhook key with a space",
            s -> s.getSpec().monitoring.alertmanager.slack.webhookKey = "SLACK URL",
            "spec.monitoring.alertmanager.slack.webhookKey",
            "must match " + Patterns.SECRET_KEY),
        invalid(
            "alerts cpuPercent 0",
            s -> s.getSpec().monitoring.alerts.cpuPercent = 0,
            "spec.monitoring.alerts.cpuPercent",
            "must be >= 1 (got 0)"),
        invalid(
            "alerts cpuPercent 101",
            s -> s.getSpec().monitoring.alerts.cpuPercent = 101,
            "spec.monitoring.alerts.cpuPercent",
            "must be <= 100 (got 101)"),
        invalid(
            "alerts memoryPercent 150",
            s -> s.getSpec().monitoring.alerts.memoryPercent = 150,
            "spec.monitoring.alerts.memoryPercent",
            "must be <= 100 (got 150)"),
        invalid(
            "alerts errorRatePercent 0",
            s -> s.getSpec().monitoring.alerts.errorRatePercent = 0.0,
            "spec.monitoring.alerts.errorRatePercent",
            "must be >= 0.01 (got 0)"),
        invalid(
            "alerts errorRatePercent 0.001",
            s -> s.getSpec().monitoring.alerts.errorRatePercent = 0.001,
            "spec.monitoring.alerts.errorRatePercent",
            "must be >= 0.01 (got 0.001)"));
  }

  /**
   * The full valid spec with values at the edges of their ranges and limits equal to requests in
   * other units: valid for both twins.
   */
  public static TTStack edgeValues() {
    TTStack stack = full();
    stack.getSpec().secrets.doppler.host = "http://127.0.0.1:8089/";
    stack.getSpec().app.replicas = 0;
    stack.getSpec().app.port = 65535;
    stack.getSpec().app.ingress.host = "*.tt.example.com";
    // Limits equal to requests in other units: compared as quantities, not as text.
    stack.getSpec().app.resources.requests.cpu = "500m";
    stack.getSpec().app.resources.limits.cpu = "0.5";
    stack.getSpec().app.resources.requests.memory = "1Gi";
    stack.getSpec().app.resources.limits.memory = "1024Mi";
    stack.getSpec().postgres.version = 14;
    stack.getSpec().postgres.image = "postgres@sha256:" + "a".repeat(64);
    stack.getSpec().postgres.backup.schedule = "@daily";
    stack.getSpec().postgres.backup.retain = 1;
    stack.getSpec().redis.masters = 16;
    stack.getSpec().redis.nodeTimeoutMillis = 60000;
    stack.getSpec().monitoring.prometheus.retention = "1w2d";
    stack.getSpec().monitoring.alerts.cpuPercent = 100;
    stack.getSpec().monitoring.alerts.errorRatePercent = 0.01;
    stack.getMetadata().setName("t".repeat(TTStack.MAX_NAME_LENGTH));
    return stack;
  }
}
