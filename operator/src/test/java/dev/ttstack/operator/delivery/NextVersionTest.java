package dev.ttstack.operator.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * .github/scripts/next-version.sh on a scratch git repository: the release workflow's version rule.
 */
class NextVersionTest {
  static final Path SCRIPT = Scripts.REPO.resolve(".github/scripts/next-version.sh");
  static final String PATH = "/usr/local/bin:/usr/bin:/bin";
  static final Map<String, String> GIT_ENV =
      Map.of(
          "GIT_AUTHOR_NAME",
          "t",
          "GIT_AUTHOR_EMAIL",
          "t@example.com",
          "GIT_COMMITTER_NAME",
          "t",
          "GIT_COMMITTER_EMAIL",
          "t@example.com",
          "GIT_CONFIG_GLOBAL",
          "/dev/null",
          "GIT_CONFIG_NOSYSTEM",
          "1");

  @TempDir Path repo;

  @BeforeEach
  void init() throws Exception {
    git("init", "-q", "-b", "develop");
    commit("chore: start");
  }

  void git(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    Scripts.Result r = Scripts.run(cmd, repo, PATH, GIT_ENV);
    assertThat(r.exit()).as(r.output()).isZero();
  }

  void commit(String message) throws Exception {
    git("commit", "-q", "--allow-empty", "-m", message);
  }

  String next() throws Exception {
    Scripts.Result r =
        Scripts.run(List.of("bash", SCRIPT.toString(), repo.toString()), repo, PATH, Map.of());
    assertThat(r.exit()).as(r.output()).isZero();
    return r.output();
  }

  @Test
  void firstReleaseIsTheInitialVersion() throws Exception {
    assertThat(next()).isEqualTo("version=0.1.0\ntag=v0.1.0\nlatest=true\n");
  }

  @Test
  void fixesBumpThePatchFeaturesTheMinorBreakingChangesTheMajor() throws Exception {
    git("tag", "v1.4.2");
    commit("fix: seat hold expiry off by one");
    assertThat(next()).isEqualTo("version=1.4.3\ntag=v1.4.3\nlatest=true\n");

    commit("feat(queue): priority lanes");
    assertThat(next()).isEqualTo("version=1.5.0\ntag=v1.5.0\nlatest=true\n");

    commit("refactor(api)!: drop /v1/tickets");
    assertThat(next()).isEqualTo("version=2.0.0\ntag=v2.0.0\nlatest=true\n");
  }

  @Test
  void aBreakingChangeFooterCountsAndZeroMajorsBumpTheMinor() throws Exception {
    git("tag", "v0.3.1");
    commit("chore: rename\n\nBREAKING CHANGE: the queue key prefix changed");
    assertThat(next()).isEqualTo("version=0.4.0\ntag=v0.4.0\nlatest=true\n");
  }

  @Test
  void aTaggedHeadKeepsItsVersionAndOtherTagsAreIgnored() throws Exception {
    git("tag", "v1.4.2");
    commit("feat: something");
    git("tag", "v1.5.0");
    git("tag", "nightly");
    git("tag", "v2.0.0-rc1");
    assertThat(next())
        .as("a re-run on the released commit")
        .isEqualTo("version=1.5.0\ntag=v1.5.0\nlatest=true\n");
    commit("docs: readme");
    assertThat(next()).isEqualTo("version=1.5.1\ntag=v1.5.1\nlatest=true\n");
  }

  /**
   * A re-run of an old release, or of a run that lost the race to a newer one, never moves latest
   * back.
   */
  @Test
  void latestIsFalseWhenANewerReleaseTagExists() throws Exception {
    git("tag", "v1.4.2");
    commit("fix: one");
    git("tag", "v1.4.3");
    git("branch", "old");
    commit("feat: two");
    git("tag", "v1.5.0");
    git("checkout", "-q", "old");
    assertThat(next())
        .as("HEAD tagged v1.4.3, v1.5.0 exists on develop")
        .isEqualTo("version=1.4.3\ntag=v1.4.3\nlatest=false\n");
    commit("fix: three");
    assertThat(next())
        .as("an untagged old commit: 1.4.4 is older than 1.5.0")
        .isEqualTo("version=1.4.4\ntag=v1.4.4\nlatest=false\n");
    git("checkout", "-q", "develop");
    assertThat(next()).isEqualTo("version=1.5.0\ntag=v1.5.0\nlatest=true\n");
    commit("fix: four");
    git("tag", "v1.10.0", "old");
    assertThat(next())
        .as("versions compare as numbers: 1.5.1 < 1.10.0")
        .isEqualTo("version=1.5.1\ntag=v1.5.1\nlatest=false\n");
  }
}
