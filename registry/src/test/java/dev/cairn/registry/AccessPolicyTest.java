package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repository patterns and the union of rules, as docs/REGISTRY.md describes the access file. */
class AccessPolicyTest {

    @TempDir
    Path dir;

    AccessPolicy policy(String rule) throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, "u:" + AuthenticationTest.bcrypt("x") + "\n");
        Path access = dir.resolve("access");
        Files.writeString(access, rule + "\n");
        return AccessPolicy.load(users, Optional.of(access), List.of());
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "**, a, true", "**, a/b/c, true",
            "team/**, team, true", "team/**, team/x, true", "team/**, team/x/y, true", "team/**, teams/x, false",
            "team/*, team/x, true", "team/*, team/x/y, false", "team/*, team, false",
            "**/cache, cache, true", "**/cache, a/b/cache, true", "**/cache, a/cache/b, false",
            "a/**/z, a/z, true", "a/**/z, a/b/c/z, true", "a/**/z, a/b, false",
            "lib*, library, true", "lib*, library/x, false", "app, app, true", "app, app2, false"})
    void patterns(String pattern, String repository, boolean matches) throws Exception {
        assertThat(policy(pattern + " u pull").allows("u", new RepositoryName(repository), AccessPolicy.Right.PULL))
                .isEqualTo(matches);
    }

    @Test
    void rightsAreTheUnionOfTheMatchingRulesAndAnonymousIsNotEveryone() throws Exception {
        AccessPolicy p = policy("** * pull\nteam/** u push\n");
        RepositoryName team = new RepositoryName("team/app");
        assertThat(p.allows("u", team, AccessPolicy.Right.PULL)).isTrue();
        assertThat(p.allows("u", team, AccessPolicy.Right.PUSH)).isTrue();
        assertThat(p.allows("u", team, AccessPolicy.Right.DELETE)).isFalse();
        assertThat(p.allows(AuditContext.ANONYMOUS, team, AccessPolicy.Right.PULL)).isFalse();
        assertThat(p.allowsEverywhere("u", AccessPolicy.Right.PULL)).isTrue();
        assertThat(p.allowsEverywhere("u", AccessPolicy.Right.PUSH)).isFalse();
    }

    @Test
    void theOpenPolicyLetsAnyoneDoAnything() {
        AccessPolicy open = AccessPolicy.open();
        assertThat(open.authenticates()).isFalse();
        for (AccessPolicy.Right r : AccessPolicy.Right.values()) {
            assertThat(open.allows(AuditContext.ANONYMOUS, new RepositoryName("x/y"), r)).isTrue();
        }
    }
}
