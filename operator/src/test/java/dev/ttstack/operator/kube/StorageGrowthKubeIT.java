package dev.ttstack.operator.kube;

import static dev.ttstack.operator.kube.KubeStacks.apply;
import static dev.ttstack.operator.kube.KubeStacks.assertReady;
import static dev.ttstack.operator.kube.KubeStacks.awaitStatus;
import static dev.ttstack.operator.kube.KubeStacks.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A larger {@code spec.postgres.storage.size} / {@code spec.redis.storage.size} on the real API
 * server, where a StatefulSet's {@code volumeClaimTemplates} are immutable. The operator never
 * edits them in place: with a StorageClass that can expand, it grows each claim and replaces the
 * StatefulSet keeping its pods and volumes; with one that cannot (k3s' local-path), it leaves the
 * StatefulSet alone, keeps reconciling everything else and says which field cannot be applied.
 */
class StorageGrowthKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();

  private static final String SMALL =
      """
      postgres:
        storage:
          size: 1Gi
      redis:
        storage:
          size: 1Gi
      """;

  @Test
  void growthOnLocalPathIsRefusedWithAConditionAndNothingElseStops() throws Exception {
    String ns = cluster.createNamespace("grow-local");
    cluster.expectRefusals(
        ns, "local-path cannot expand: the claims' larger size is refused by admission, by design");
    KubeStacks.createSecret(cluster, ns, Map.of());
    apply(cluster, ns, manifest("1.4.2", SMALL));
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      awaitStatus(cluster, ns, Duration.ofSeconds(180), KubeStacks::assertReady);
      String postgresUid = sts(ns, "tt-postgres").getMetadata().getUid();
      String redisUid = sts(ns, "tt-redis").getMetadata().getUid();

      long mark = cluster.auditLog().mark();
      // Both volumes larger, and an app upgrade in the same change: the upgrade must still happen.
      apply(
          cluster,
          ns,
          manifest(
              "1.5.0",
              """
          postgres:
            storage:
              size: 2Gi
          redis:
            storage:
              size: 2Gi
          """));
      TTStack s =
          awaitStatus(
              cluster,
              ns,
              Duration.ofSeconds(180),
              t -> {
                assertThat(t.getStatus().app.version)
                    .as("the app upgrade is not held by the storage change")
                    .isEqualTo("1.5.0");
                assertThat(t.getStatus().condition("PostgresReady").reason)
                    .isEqualTo("StorageGrowthRefused");
                assertThat(t.getStatus().condition("RedisClusterReady").reason)
                    .isEqualTo("StorageGrowthRefused");
              });
      var pg = s.getStatus().condition("PostgresReady");
      System.out.println("PostgresReady: " + pg.status + " " + pg.reason + ": " + pg.message);
      assertThat(pg.status).as("PostgreSQL itself still runs and serves").isEqualTo("True");
      assertThat(pg.message)
          .contains(
              "spec.postgres.storage.size", "2Gi", "1Gi", "local-path", "allowVolumeExpansion");
      var redis = s.getStatus().condition("RedisClusterReady");
      assertThat(redis.status).isEqualTo("True");
      assertThat(redis.message).contains("spec.redis.storage.size", "2Gi", "local-path");
      assertThat(s.getStatus().condition("Ready").reason).isNotEqualTo("ReconcileError");

      // Nothing was replaced or edited: same StatefulSets, templates and claims at the old size.
      assertThat(sts(ns, "tt-postgres").getMetadata().getUid()).isEqualTo(postgresUid);
      assertThat(sts(ns, "tt-redis").getMetadata().getUid()).isEqualTo(redisUid);
      assertThat(templateSize(sts(ns, "tt-postgres"))).isEqualTo("1Gi");
      assertThat(templateSize(sts(ns, "tt-redis"))).isEqualTo("1Gi");
      assertThat(request(claim(ns, "data-tt-postgres-0"))).isEqualTo("1Gi");

      List<AuditLog.Entry> refused =
          cluster
              .auditLog()
              .since(
                  mark,
                  ChartInstall.user(),
                  e ->
                      ns.equals(e.namespace())
                          && e.code() >= 400
                          && !"persistentvolumeclaims".equals(e.resource()));
      assertThat(refused).as("no request refused, above all no 422 on the StatefulSets").isEmpty();
      // The claims were tried at most once each (the API server's answer is remembered, not
      // re-asked on every reconcile).
      long claimPatches =
          cluster
              .auditLog()
              .since(
                  mark,
                  ChartInstall.user(),
                  e ->
                      ns.equals(e.namespace())
                          && "persistentvolumeclaims".equals(e.resource())
                          && "patch".equals(e.verb()))
              .size();
      assertThat(claimPatches).isLessThanOrEqualTo(2);
      assertThat(KubeStacks.events(cluster, ns))
          .anySatisfy(e -> assertThat(e.getMessage()).contains("spec.postgres.storage.size"));
    }
  }

  @Test
  void growthWithAnExpandableClassGrowsTheClaimsAndKeepsPodsAndVolumes() throws Exception {
    String ns = cluster.createNamespace("grow-expand");
    String storageClass = "expandable-" + ns;
    // A class that can expand, whose volumes this test provisions itself (the simulated kubelet
    // plays local-path only): one PV pre-bound to PostgreSQL's data claim.
    cluster
        .admin()
        .storage()
        .v1()
        .storageClasses()
        .resource(
            new StorageClassBuilder()
                .withNewMetadata()
                .withName(storageClass)
                .endMetadata()
                .withProvisioner("test.ttstack.dev/static")
                .withAllowVolumeExpansion(true)
                .withReclaimPolicy("Retain")
                .withVolumeBindingMode("Immediate")
                .build())
        .create();
    Path dir = Files.createTempDirectory("expandable");
    cluster
        .admin()
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("pv-" + ns)
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("1Gi")))
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(storageClass)
                .withPersistentVolumeReclaimPolicy("Retain")
                .withNewClaimRef()
                .withNamespace(ns)
                .withName("data-tt-postgres-0")
                .endClaimRef()
                .withNewHostPath()
                .withPath(dir.toString())
                .withType("DirectoryOrCreate")
                .endHostPath()
                .endSpec()
                .build())
        .create();
    KubeStacks.createSecret(cluster, ns, Map.of());
    // deletionPolicy Delete: the StatefulSet then owns its claims (whenDeleted: Delete), the case
    // in
    // which a plain delete of the StatefulSet would take the data with it; Orphan must keep them.
    apply(
        cluster,
        ns,
        manifest(
            "1.4.2",
            """
        deletionPolicy: Delete
        postgres:
          storage:
            size: 1Gi
            storageClassName: %s
        redis:
          storage:
            size: 1Gi
        """
                .formatted(storageClass)));
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      awaitStatus(cluster, ns, Duration.ofSeconds(180), KubeStacks::assertReady);
      StatefulSet before = sts(ns, "tt-postgres");
      String podUid =
          cluster
              .admin()
              .pods()
              .inNamespace(ns)
              .withName("tt-postgres-0")
              .get()
              .getMetadata()
              .getUid();
      String claimUid = claim(ns, "data-tt-postgres-0").getMetadata().getUid();

      long mark = cluster.auditLog().mark();
      Instant grow = Instant.now();
      apply(
          cluster,
          ns,
          manifest(
              "1.4.2",
              """
          deletionPolicy: Delete
          postgres:
            storage:
              size: 2Gi
              storageClassName: %s
          redis:
            storage:
              size: 1Gi
          """
                  .formatted(storageClass)));
      awaitStatus(
          cluster,
          ns,
          Duration.ofSeconds(180),
          t -> {
            assertReady(t);
            assertThat(templateSize(sts(ns, "tt-postgres"))).isEqualTo("2Gi");
          });
      System.out.printf(
          "expandable class: claim grown and StatefulSet replaced, Ready after %.1f s%n",
          Duration.between(grow, Instant.now()).toMillis() / 1000.0);

      StatefulSet after = sts(ns, "tt-postgres");
      assertThat(after.getMetadata().getUid())
          .as("the StatefulSet was replaced")
          .isNotEqualTo(before.getMetadata().getUid());
      PersistentVolumeClaim c = claim(ns, "data-tt-postgres-0");
      assertThat(c.getMetadata().getUid())
          .as("the same claim: the data is kept")
          .isEqualTo(claimUid);
      assertThat(request(c)).isEqualTo("2Gi");
      var pod = cluster.admin().pods().inNamespace(ns).withName("tt-postgres-0").get();
      assertThat(pod.getMetadata().getUid())
          .as("the pod kept running: orphaned, then adopted")
          .isEqualTo(podUid);
      assertThat(pod.getMetadata().getOwnerReferences())
          .anySatisfy(o -> assertThat(o.getUid()).isEqualTo(after.getMetadata().getUid()));

      List<AuditLog.Entry> mine =
          cluster
              .auditLog()
              .since(mark, ChartInstall.user(), e -> ns.equals(e.namespace()) && e.isWrite());
      assertThat(mine).as("no refused write").noneMatch(e -> e.code() >= 400);
      assertThat(mine)
          .as("never a claim deleted")
          .noneMatch(
              e -> "persistentvolumeclaims".equals(e.resource()) && "delete".equals(e.verb()));
      assertThat(mine)
          .as("the Redis StatefulSet was not replaced")
          .noneMatch(
              e ->
                  "statefulsets".equals(e.resource())
                      && "delete".equals(e.verb())
                      && "tt-redis".equals(e.name()));
      assertThat(KubeStacks.events(cluster, ns))
          .anySatisfy(e -> assertThat(e.getMessage()).contains("data-tt-postgres-0", "2Gi"));
    } finally {
      cluster.admin().persistentVolumes().withName("pv-" + ns).delete();
      cluster.admin().storage().v1().storageClasses().withName(storageClass).delete();
    }
  }

  private static StatefulSet sts(String ns, String name) {
    return cluster.admin().apps().statefulSets().inNamespace(ns).withName(name).get();
  }

  private static PersistentVolumeClaim claim(String ns, String name) {
    return cluster.admin().persistentVolumeClaims().inNamespace(ns).withName(name).get();
  }

  private static String templateSize(StatefulSet sts) {
    return sts.getSpec()
        .getVolumeClaimTemplates()
        .get(0)
        .getSpec()
        .getResources()
        .getRequests()
        .get("storage")
        .toString();
  }

  private static String request(PersistentVolumeClaim c) {
    return c.getSpec().getResources().getRequests().get("storage").toString();
  }
}
