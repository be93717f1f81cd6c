package dev.ttstack.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@code kubectl delete tts NAME} with the real garbage collector and the real StatefulSet
 * controller: exactly which objects survive, per {@code spec.deletionPolicy} (README, "Data is
 * never deleted silently", and the CRD's description of the field): Retain keeps the data volumes
 * (PostgreSQL, Redis x6, backups, Prometheus) and nothing else; Delete keeps nothing; a policy
 * changed after creation counts as if it had been set from the start. A stack re-created after a
 * Retain deletion finds its volumes, and its data, again.
 */
class DeletionKubeIT {
  @RegisterExtension static final LocalCluster cluster = LocalCluster.shared();
  private static final Duration READY = Duration.ofSeconds(180);
  private static final Duration COLLECTED = Duration.ofSeconds(120);

  @Test
  void retainKeepsExactlyTheDataVolumesAndARecreatedStackFindsThemWithTheirData() throws Exception {
    String ns = cluster.createNamespace("del-retain");
    String name = "tt";
    FullStacks.createSecret(cluster, ns);
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      cluster
          .kubectl()
          .withInput(FullStacks.fullStack(name, "Retain"), "apply", "-n", ns, "-f", "-")
          .orFail();
      TTStack ready = FullStacks.awaitReady(cluster, ns, name, READY);
      assertThat(FullStacks.managedObjects(cluster.admin(), ns))
          .as("what the operator made for a Ready stack: what render builds, and its bookkeeping")
          .isEqualTo(FullStacks.renderedObjects(ready, name));
      runBackup(ns, name);
      String password = redisPassword(ns);
      writeKey(ns, name, password, "deletion-probe", "written before kubectl delete");
      Map<String, String> claimsBefore = claimUids(ns);
      Map<String, String> volumesBefore = boundVolumes(ns);

      Set<String> survivors = deleteAndAwaitCollection(ns, name, expectedRetained(name));
      System.out.println("[deletion] Retain survivors: " + survivors);
      // The data itself: each claim is the same object, still Bound to the same volume.
      assertThat(claimUids(ns)).isEqualTo(claimsBefore);
      assertThat(boundVolumes(ns)).isEqualTo(volumesBefore);

      cluster
          .kubectl()
          .withInput(FullStacks.fullStack(name, "Retain"), "apply", "-n", ns, "-f", "-")
          .orFail();
      FullStacks.awaitReady(cluster, ns, name, READY);
      // The new StatefulSets' pods mount the very claims (same uid: not re-created) ...
      assertThat(claimUids(ns)).isEqualTo(claimsBefore);
      assertThat(boundVolumes(ns)).isEqualTo(volumesBefore);
      for (Pod pod : cluster.admin().pods().inNamespace(ns).list().getItems()) {
        pod.getSpec().getVolumes().stream()
            .filter(v -> v.getPersistentVolumeClaim() != null)
            .forEach(
                v ->
                    assertThat(claimsBefore)
                        .as("claim of pod " + pod.getMetadata().getName())
                        .containsKey(v.getPersistentVolumeClaim().getClaimName()));
      }
      // ... and Redis, with its AOF and nodes.conf kept on them, still holds what was written.
      assertThat(readKey(ns, name, password, "deletion-probe"))
          .isEqualTo("written before kubectl delete");
    }
  }

  @Test
  void deleteKeepsNothing() throws Exception {
    String ns = cluster.createNamespace("del-delete");
    String name = "tt";
    FullStacks.createSecret(cluster, ns);
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      cluster
          .kubectl()
          .withInput(FullStacks.fullStack(name, "Delete"), "apply", "-n", ns, "-f", "-")
          .orFail();
      FullStacks.awaitReady(cluster, ns, name, READY);
      runBackup(ns, name);
      Map<String, String> volumes = boundVolumes(ns);
      Set<String> survivors = deleteAndAwaitCollection(ns, name, FullStacks.BASELINE);
      System.out.println("[deletion] Delete survivors: " + survivors);
      awaitVolumesGone(volumes);
    }
  }

  @Test
  void retainChangedToDeleteAfterCreationKeepsNothing() throws Exception {
    String ns = cluster.createNamespace("del-r2d");
    String name = "tt";
    FullStacks.createSecret(cluster, ns);
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      cluster
          .kubectl()
          .withInput(FullStacks.fullStack(name, "Retain"), "apply", "-n", ns, "-f", "-")
          .orFail();
      FullStacks.awaitReady(cluster, ns, name, READY);
      runBackup(ns, name);
      changePolicy(ns, name, "Delete");
      Map<String, String> volumes = boundVolumes(ns);
      Set<String> survivors = deleteAndAwaitCollection(ns, name, FullStacks.BASELINE);
      System.out.println("[deletion] Retain -> Delete survivors: " + survivors);
      awaitVolumesGone(volumes);
    }
  }

  @Test
  void deleteChangedToRetainAfterCreationKeepsExactlyTheDataVolumes() throws Exception {
    String ns = cluster.createNamespace("del-d2r");
    String name = "tt";
    FullStacks.createSecret(cluster, ns);
    try (OperatorUnderTest op = OperatorUnderTest.start(cluster, ns)) {
      cluster
          .kubectl()
          .withInput(FullStacks.fullStack(name, "Delete"), "apply", "-n", ns, "-f", "-")
          .orFail();
      FullStacks.awaitReady(cluster, ns, name, READY);
      runBackup(ns, name);
      changePolicy(ns, name, "Retain");
      Map<String, String> volumesBefore = boundVolumes(ns);
      Set<String> survivors = deleteAndAwaitCollection(ns, name, expectedRetained(name));
      System.out.println("[deletion] Delete -> Retain survivors: " + survivors);
      assertThat(boundVolumes(ns)).isEqualTo(volumesBefore);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * One backup now, from the CronJob's template as a user would run it ({@code kubectl create job
   * --from}): the backup volume (WaitForFirstConsumer) is bound only once a backup pod uses it, and
   * the data of a bound volume is what deletion must keep or remove. kubectl makes the Job owned by
   * the CronJob, so it goes with it.
   */
  private static void runBackup(String ns, String name) {
    cluster
        .kubectl()
        .run("-n", ns, "create", "job", "backup-now", "--from=cronjob/" + name + "-postgres-backup")
        .orFail();
    await()
        .atMost(READY)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              var job =
                  cluster.admin().batch().v1().jobs().inNamespace(ns).withName("backup-now").get();
              assertThat(job.getStatus().getSucceeded()).as("backup-now succeeded").isEqualTo(1);
              var claim =
                  cluster
                      .admin()
                      .persistentVolumeClaims()
                      .inNamespace(ns)
                      .withName(name + "-postgres-backup")
                      .get();
              assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
            });
  }

  private static Set<String> expectedRetained(String name) {
    Set<String> expected = new TreeSet<>(FullStacks.BASELINE);
    expected.addAll(FullStacks.dataVolumes(name));
    return expected;
  }

  /**
   * The policy changed with kubectl, then waited for until it is in effect where Kubernetes acts on
   * it: the operator has reconciled the new generation (Ready) and the StatefulSet controller has
   * observed the StatefulSets' new retention policy (it sets the claims' ownerReferences from it).
   */
  private static void changePolicy(String ns, String name, String policy) {
    cluster
        .kubectl()
        .run(
            "-n",
            ns,
            "patch",
            "tts",
            name,
            "--type=merge",
            "-p",
            "{\"spec\":{\"deletionPolicy\":\"" + policy + "\"}}")
        .orFail();
    FullStacks.awaitReady(cluster, ns, name, READY);
    await()
        .atMost(READY)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              List<StatefulSet> sets =
                  cluster.admin().apps().statefulSets().inNamespace(ns).list().getItems();
              assertThat(sets).hasSize(2);
              for (StatefulSet set : sets) {
                assertThat(set.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted())
                    .as(set.getMetadata().getName())
                    .isEqualTo(policy);
                assertThat(set.getStatus().getObservedGeneration())
                    .as(set.getMetadata().getName())
                    .isEqualTo(set.getMetadata().getGeneration());
              }
            });
  }

  /**
   * {@code kubectl delete tts NAME} (kubectl's default: background cascading deletion, as a user
   * runs it), then waits until exactly {@code expected} is left and the garbage collector has
   * nothing more to collect (no object being deleted, none owned by a gone owner).
   */
  private static Set<String> deleteAndAwaitCollection(
      String ns, String name, Set<String> expected) {
    cluster.kubectl().run("-n", ns, "delete", "tts", name).orFail();
    await()
        .atMost(COLLECTED)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(FullStacks.inventory(cluster.admin(), ns))
                  .containsExactlyInAnyOrderElementsOf(expected);
              assertThat(FullStacks.pendingCollection(cluster.admin(), ns)).isEmpty();
            });
    return FullStacks.inventory(cluster.admin(), ns);
  }

  /** claim name -> uid. */
  private static Map<String, String> claimUids(String ns) {
    return cluster.admin().persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
        .collect(
            Collectors.toMap(
                c -> c.getMetadata().getName(),
                c -> c.getMetadata().getUid(),
                (a, b) -> a,
                LinkedHashMap::new));
  }

  /** claim name -> the PV it is bound to (all nine claims must be bound). */
  private static Map<String, String> boundVolumes(String ns) {
    Map<String, String> bound = new java.util.TreeMap<>();
    for (PersistentVolumeClaim c :
        cluster.admin().persistentVolumeClaims().inNamespace(ns).list().getItems()) {
      assertThat(c.getStatus().getPhase()).as(c.getMetadata().getName()).isEqualTo("Bound");
      bound.put(c.getMetadata().getName(), c.getSpec().getVolumeName());
    }
    assertThat(bound).hasSize(9);
    return bound;
  }

  private static void awaitVolumesGone(Map<String, String> volumes) {
    await()
        .atMost(COLLECTED)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Set<String> left = new TreeSet<>();
              for (String pv : volumes.values()) {
                PersistentVolume v = cluster.admin().persistentVolumes().withName(pv).get();
                if (v != null) {
                  left.add(pv);
                }
              }
              assertThat(left)
                  .as("PersistentVolumes of the deleted claims (reclaim policy Delete)")
                  .isEmpty();
            });
  }

  private static String redisPassword(String ns) {
    String b64 =
        cluster
            .admin()
            .secrets()
            .inNamespace(ns)
            .withName(FullStacks.SECRET)
            .get()
            .getData()
            .get("REDIS_PASSWORD");
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static List<String> redisPodIps(String ns, String name) {
    return cluster.admin().pods().inNamespace(ns).list().getItems().stream()
        .filter(
            p ->
                p.getMetadata()
                    .getName()
                    .matches(java.util.regex.Pattern.quote(name) + "-redis-\\d+"))
        .map(p -> p.getStatus().getPodIP())
        .filter(ip -> ip != null && !ip.isEmpty())
        .toList();
  }

  /** SET on the master that owns the key's slot (the others answer MOVED). */
  private static void writeKey(String ns, String name, String password, String key, String value) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              for (String ip : redisPodIps(ns, name)) {
                try (Jedis jedis = connect(ip, password)) {
                  // WAIT: the replica has it too, so the value does not depend on which node
                  // survives.
                  if ("OK".equals(jedis.set(key, value)) && jedis.waitReplicas(1, 5000) >= 1) {
                    return true;
                  }
                } catch (JedisDataException e) {
                  // MOVED: not this node's slot
                }
              }
              return false;
            });
  }

  private static String readKey(String ns, String name, String password, String key) {
    String[] found = new String[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              for (String ip : redisPodIps(ns, name)) {
                try (Jedis jedis = connect(ip, password)) {
                  found[0] = jedis.get(key);
                  return true;
                } catch (JedisDataException e) {
                  // MOVED (or CLUSTERDOWN while the cluster re-forms): ask the next node, then
                  // again
                } catch (RuntimeException e) {
                  // not listening yet
                }
              }
              return false;
            });
    return found[0];
  }

  private static Jedis connect(String ip, String password) {
    return new Jedis(
        new HostAndPort(ip, 6379),
        DefaultJedisClientConfig.builder()
            .password(password)
            .connectionTimeoutMillis(2000)
            .socketTimeoutMillis(6000)
            .build());
  }
}
