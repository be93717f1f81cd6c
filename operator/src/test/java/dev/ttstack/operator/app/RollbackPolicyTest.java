package dev.ttstack.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ttstack.operator.api.AppSpec;
import dev.ttstack.operator.api.AppState;
import dev.ttstack.operator.api.AppStatus;
import dev.ttstack.operator.api.EnvVarSpec;
import dev.ttstack.operator.app.RollbackPolicy.Verdict;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rollback decisions, as a table of cases: no cluster, no clock. */
class RollbackPolicyTest {
  private static final String NOW = "2026-12-03T10:00:00Z";

  private static AppSpec app(String version, String... env) {
    AppSpec a = new AppSpec();
    a.image = "ghcr.io/tt-org/tt-backend";
    a.version = version;
    for (int i = 0; i + 1 < env.length; i += 2) {
      EnvVarSpec e = new EnvVarSpec();
      e.name = env[i];
      e.value = env[i + 1];
      a.env.add(e);
    }
    return a;
  }

  private static DeploymentRollout running(AppSpec app, boolean complete, String failure) {
    return new DeploymentRollout(
        AppObjects.specHash(app),
        app.version,
        2,
        complete ? 2 : 1,
        complete ? 2 : 1,
        true,
        complete,
        Optional.ofNullable(failure));
  }

  /** 1.0.0 with LOG_LEVEL=info became available. */
  private static AppStatus availableAt(AppSpec good) {
    AppStatus s = new AppStatus();
    RollbackPolicy.decide(good, s, running(good, true, null), true, NOW);
    assertThat(s.state).isEqualTo(AppState.Available);
    return s;
  }

  @Test
  void aCompleteRolloutOfTheWantedSpecBecomesTheLastAvailableOnce() {
    AppSpec good = app("1.0.0", "LOG_LEVEL", "info");
    AppStatus s = new AppStatus();
    assertThat(RollbackPolicy.decide(good, s, running(good, true, null), true, NOW))
        .isEqualTo(Verdict.BECAME_AVAILABLE);
    assertThat(s.lastGoodVersion).isEqualTo("1.0.0");
    assertThat(AppObjects.specHash(s.lastAvailableSpec)).isEqualTo(AppObjects.specHash(good));
    assertThat(s.lastAvailableSpec.replicas).as("scaling is not part of it").isNull();
    assertThat(RollbackPolicy.decide(good, s, running(good, true, null), true, NOW))
        .isEqualTo(Verdict.AVAILABLE);
  }

  @Test
  void aCrashLoopingEnvChangeAtTheSameVersionIsRolledBackToTheLastAvailableSpec() {
    AppSpec good = app("1.0.0", "LOG_LEVEL", "info");
    AppStatus s = availableAt(good);
    AppSpec broken = app("1.0.0", "LOG_LEVEL", "info", "DB_POOL", "-1");

    assertThat(RollbackPolicy.decide(broken, s, running(broken, false, null), true, NOW))
        .isEqualTo(Verdict.PROGRESSING);
    assertThat(s.state).isEqualTo(AppState.Progressing);
    assertThat(
            RollbackPolicy.decide(
                broken, s, running(broken, false, "CrashLoopBackOff: pod tt-app-1"), true, NOW))
        .isEqualTo(Verdict.ROLL_BACK_NOW);
    assertThat(s.state).isEqualTo(AppState.RolledBack);
    assertThat(s.failedSpecHash).isEqualTo(AppObjects.specHash(broken));
    assertThat(s.failedVersion).isEqualTo("1.0.0");
    assertThat(s.failureReason).startsWith("CrashLoopBackOff");
    assertThat(s.lastRollbackTime).isEqualTo(NOW);

    // what runs next: the good env, at the same version; the broken spec is not retried
    AppSpec target = RollbackPolicy.target(broken, s);
    assertThat(AppObjects.specHash(target)).isEqualTo(AppObjects.specHash(good));
    assertThat(
            RollbackPolicy.decide(
                broken, s, running(broken, false, "CrashLoopBackOff: pod tt-app-1"), true, NOW))
        .as("the failed template still runs while the rollback is applied")
        .isEqualTo(Verdict.ROLLED_BACK);
    assertThat(RollbackPolicy.decide(broken, s, running(good, true, null), true, NOW))
        .isEqualTo(Verdict.ROLLED_BACK);
    assertThat(s.state).isEqualTo(AppState.RolledBack);

    // a new change is tried
    AppSpec fixed = app("1.0.0", "LOG_LEVEL", "info", "DB_POOL", "20");
    assertThat(RollbackPolicy.target(fixed, s)).isSameAs(fixed);
    assertThat(RollbackPolicy.decide(fixed, s, running(fixed, true, null), true, NOW))
        .isEqualTo(Verdict.BECAME_AVAILABLE);
  }

  @Test
  void aResourcesChangeThatMissesItsDeadlineIsRolledBackToo() {
    AppSpec good = app("1.0.0");
    AppStatus s = availableAt(good);
    AppSpec big = app("1.0.0");
    big.resources = new dev.ttstack.operator.api.ResourcesSpec();
    big.resources.requests = new dev.ttstack.operator.api.ResourceAmounts();
    big.resources.requests.memory = "64Gi";
    assertThat(
            RollbackPolicy.decide(
                big, s, running(big, false, "ProgressDeadlineExceeded: not available"), true, NOW))
        .isEqualTo(Verdict.ROLL_BACK_NOW);
    assertThat(RollbackPolicy.target(big, s).resources).isNull();
  }

  @Test
  void withoutAutoRollbackOrAnythingEarlierAFailureIsOnlyReported() {
    AppSpec good = app("1.0.0");
    AppStatus s = availableAt(good);
    AppSpec next = app("1.1.0");
    assertThat(RollbackPolicy.decide(next, s, running(next, false, "CrashLoopBackOff"), false, NOW))
        .isEqualTo(Verdict.FAILED_AUTO_ROLLBACK_OFF);
    assertThat(s.state).isEqualTo(AppState.Failed);
    assertThat(s.failedSpecHash).isNull();
    assertThat(RollbackPolicy.target(next, s)).isSameAs(next);

    AppStatus first = new AppStatus();
    assertThat(
            RollbackPolicy.decide(next, first, running(next, false, "CrashLoopBackOff"), true, NOW))
        .isEqualTo(Verdict.FAILED_NOTHING_EARLIER);
    // the last available spec itself failing later (a node problem): nothing earlier to go to
    assertThat(RollbackPolicy.decide(good, s, running(good, false, "CrashLoopBackOff"), true, NOW))
        .isEqualTo(Verdict.FAILED_NOTHING_EARLIER);
  }

  @Test
  void scalingAndTheRolloutPolicyAreNoNewRollout() {
    AppSpec good = app("1.0.0");
    AppStatus s = availableAt(good);
    AppSpec scaled = app("1.0.0");
    scaled.replicas = 5;
    scaled.rollout.progressDeadlineSeconds = 900;
    assertThat(AppObjects.specHash(scaled)).isEqualTo(AppObjects.specHash(good));
    assertThat(RollbackPolicy.decide(scaled, s, running(scaled, true, null), true, NOW))
        .isEqualTo(Verdict.AVAILABLE);
  }

  @Test
  void aStatusWrittenBeforeSpecHashesStillRollsBackByVersion() {
    AppStatus legacy = new AppStatus();
    legacy.lastGoodVersion = "1.0.0";
    legacy.failedVersion = "1.1.0";
    AppSpec wanted = app("1.1.0");
    assertThat(RollbackPolicy.target(wanted, legacy).version).isEqualTo("1.0.0");
    assertThat(RollbackPolicy.target(app("1.2.0"), legacy).version).isEqualTo("1.2.0");
  }
}
