package dev.ttstack.tt.queue;

import static dev.ttstack.tt.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ttstack.tt.support.Api;
import dev.ttstack.tt.support.AppIntegrationTest;
import dev.ttstack.tt.support.AppTestBase;
import dev.ttstack.tt.support.LocalRedisCluster;
import dev.ttstack.tt.support.LocalServices;
import dev.ttstack.tt.support.Tt;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL the Redis master that owns a performance's queue while clients keep joining and being
 * admitted. The cluster promotes the replica (node timeout 2 s); the running app must serve again
 * on its own (Lettuce adaptive topology refresh), and every admission it acknowledged must survive.
 */
@AppIntegrationTest
@Order(Order.DEFAULT + 2)
class FailoverIT extends AppTestBase {

  private static final int CLIENTS = 4;

  /** One request's outcome, stamped with when it ended. */
  record Outcome(long atNanos, Api.Response response) {
    boolean ok() {
      return response.status() < 300;
    }
  }

  @Test
  void killingTheQueuesMasterLosesNoAdmittedEntryAndTheAppRecoversWithoutRestart()
      throws Exception {
    LocalRedisCluster redis = LocalServices.shared().redis();
    long performance = tt.performance(1, 5);
    int slot = SlotHash.getSlot(QueueKeys.waiting(performance));
    int victim = redis.masterPortOf(slot);

    // Admissions the app has acknowledged: user -> entry token.
    Map<String, String> acknowledged =
        new ConcurrentHashMap<>(
            tt.admitted(performance, IntStream.range(0, 20).mapToObj(i -> "before-" + i).toList()));
    Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    long killedAt = 0;
    try {
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        clients.submit(() -> queueTraffic(tt, performance, client, stop, outcomes, acknowledged));
      }
      await("traffic flowing")
          .atMost(Duration.ofSeconds(30))
          .until(() -> successesAfter(outcomes, 0) >= 40);

      killedAt = System.nanoTime();
      redis.kill(victim);

      long kill = killedAt;
      await("app serving again after the failover")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  failuresAfter(outcomes, kill) > 0
                      && successesAfter(outcomes, lastFailure(outcomes)) >= 40);
    } finally {
      stop.set(true);
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }

    long outageMillis = (lastFailure(outcomes) - killedAt) / 1_000_000;
    System.out.printf(
        "[failover] master %d killed; requests to its shard failed for %d ms; %d ok, %d failed%n",
        victim,
        outageMillis,
        outcomes.stream().filter(Outcome::ok).count(),
        outcomes.stream().filter(o -> !o.ok()).count());
    assertThat(outageMillis).as("outage").isLessThan(30_000);
    // While the shard was down the app said so properly: 503 problem, retry later.
    outcomes.stream()
        .filter(o -> !o.ok())
        .forEach(o -> assertProblem(o.response(), 503, "STORE_UNAVAILABLE"));
    assertThat(redis.masterPortOf(slot)).as("replica promoted").isNotEqualTo(victim);

    // No admitted entry lost: everyone the app told "ADMITTED" still is, with the same token...
    assertThat(acknowledged).hasSizeGreaterThan(20);
    for (Map.Entry<String, String> entry : acknowledged.entrySet()) {
      Api.Response status = tt.status(performance, entry.getKey());
      assertThat(status.json().path("status").asString())
          .as(entry.getKey() + " " + status.text())
          .isEqualTo("ADMITTED");
      assertThat(status.json().get("entryToken").asString()).isEqualTo(entry.getValue());
    }
    // ...and the token still opens the seat endpoints.
    assertThat(
            tt.hold(performance, acknowledged.get("before-0"), tt.seatIds(performance).get(0))
                .status())
        .isEqualTo(201);

    // Heal the cluster for whoever comes next: the killed node rejoins as a replica by itself.
    redis.restart(victim);
    redis.awaitHealthy(Duration.ofSeconds(60));
  }

  /** One client: join a new user, and every third request admit two users and read their tokens. */
  private static void queueTraffic(
      Tt tt,
      long performance,
      int client,
      AtomicBoolean stop,
      Queue<Outcome> outcomes,
      Map<String, String> acknowledged) {
    for (int i = 0; i < 20_000 && !stop.get(); i++) {
      Api.Response join = tt.join(performance, "c" + client + "-" + i);
      outcomes.add(new Outcome(System.nanoTime(), join));
      if (i % 3 != 2) {
        continue;
      }
      Api.Response admission = tt.admit(performance, 2);
      outcomes.add(new Outcome(System.nanoTime(), admission));
      if (admission.status() != 200) {
        continue;
      }
      for (String user :
          admission.json().get("admitted").valueStream().map(n -> n.asString()).toList()) {
        Api.Response status = tt.status(performance, user);
        outcomes.add(new Outcome(System.nanoTime(), status));
        if (status.status() == 200) {
          acknowledged.put(user, status.json().get("entryToken").asString());
        }
      }
    }
  }

  private static long successesAfter(Queue<Outcome> outcomes, long nanos) {
    return outcomes.stream().filter(o -> o.ok() && o.atNanos() > nanos).count();
  }

  private static long failuresAfter(Queue<Outcome> outcomes, long nanos) {
    return outcomes.stream().filter(o -> !o.ok() && o.atNanos() > nanos).count();
  }

  private static long lastFailure(Queue<Outcome> outcomes) {
    return outcomes.stream().filter(o -> !o.ok()).mapToLong(Outcome::atNanos).max().orElse(0);
  }
}
