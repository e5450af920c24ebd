package dev.cairn.registry;

import static dev.cairn.registry.TestRegistry.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may do what, as clients see it: HTTP basic against bcrypt htpasswd, 401 with the challenge for missing or wrong
 * credentials, 403 for a user without the right, anonymous pull where the access file allows it, and the principal
 * carried into the audit trail.
 */
class AuthenticationTest {

    @TempDir
    Path dir;
    TestRegistry registry;

    static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 5);
    }

    @BeforeEach
    void start() throws IOException {
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, "# users\nalice:" + bcrypt("alice-secret") + "\nbob:" + bcrypt("bob-secret")
                + "\nadmin:" + bcrypt("admin-secret") + "\n");
        Path access = dir.resolve("access");
        Files.writeString(access, """
                # pattern   who        rights
                **          *          pull
                team/**     alice      pull,push
                **          admin      pull,push,delete   # the operator
                """);
        AccessPolicy policy = AccessPolicy.load(htpasswd, Optional.of(access), List.of("public/**"));
        registry = TestRegistry.start(dir.resolve("registry"), c -> c.withAccess(policy));
    }

    @AfterEach
    void stop() throws IOException {
        registry.close();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<byte[]> as(String user, String password, HttpRequest.Builder b) throws Exception {
        return registry.send(b.header("Authorization", basic(user, password)).build());
    }

    HttpResponse<byte[]> pushAs(String user, String password, String repo, byte[] blob) throws Exception {
        return as(user, password, registry.request("/v2/" + repo + "/blobs/uploads/?digest=" + sha256(blob))
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob)));
    }

    static String code(HttpResponse<byte[]> r) throws IOException {
        return new ObjectMapper().readTree(r.body()).path("errors").path(0).path("code").asText();
    }

    @Test
    void withoutCredentialsTheChallengeIsBasic() throws Exception {
        HttpResponse<byte[]> r = registry.post("/v2/team/app/blobs/uploads/", new byte[0]);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(code(r)).isEqualTo("UNAUTHORIZED");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"cairn\"");
    }

    @Test
    void wrongCredentialsAre401AndNeverLogged() throws Exception {
        for (String[] wrong : List.of(new String[] {"alice", "guess"}, new String[] {"mallory", "alice-secret"},
                new String[] {"alice", "alice-secret" + "x".repeat(80)})) {
            HttpResponse<byte[]> r = as(wrong[0], wrong[1], registry.request("/v2/").GET());
            assertThat(r.statusCode()).as("%s/%s", wrong[0], wrong[1]).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
        }
        HttpResponse<byte[]> garbled = registry.send(registry.request("/v2/").header("Authorization", "Basic !!")
                .GET().build());
        assertThat(garbled.statusCode()).isEqualTo(401);
        assertThat(as("alice", "alice-secret", registry.request("/v2/").GET()).statusCode()).isEqualTo(200);
        assertThat(String.join("\n", registry.log)).doesNotContain("secret", "guess",
                Base64.getEncoder().encodeToString("alice:alice-secret".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aUserWithoutTheRightGets403() throws Exception {
        byte[] blob = "layer".getBytes(StandardCharsets.UTF_8);
        assertThat(pushAs("alice", "alice-secret", "team/app", blob).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> bob = pushAs("bob", "bob-secret", "team/app", blob);
        assertThat(bob.statusCode()).isEqualTo(403);
        assertThat(code(bob)).isEqualTo("DENIED");
        assertThat(pushAs("alice", "alice-secret", "elsewhere", blob).statusCode()).isEqualTo(403);
        assertThat(as("bob", "bob-secret", registry.request("/v2/team/app/blobs/" + sha256(blob)).GET()).statusCode())
                .as("every signed-in user may pull").isEqualTo(200);
        HttpResponse<byte[]> delete = as("alice", "alice-secret",
                registry.request("/v2/team/app/blobs/" + sha256(blob)).DELETE());
        assertThat(delete.statusCode()).isEqualTo(403);
        assertThat(as("admin", "admin-secret", registry.request("/v2/team/app/blobs/" + sha256(blob)).DELETE())
                .statusCode()).isEqualTo(202);
    }

    @Test
    void anonymousPullOnlyWhereAllowed() throws Exception {
        byte[] blob = "public layer".getBytes(StandardCharsets.UTF_8);
        assertThat(pushAs("admin", "admin-secret", "public/base", blob).statusCode()).isEqualTo(201);
        assertThat(pushAs("admin", "admin-secret", "private/base", blob).statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/").statusCode()).as("anonymous may pull something").isEqualTo(200);
        assertThat(registry.get("/v2/public/base/blobs/" + sha256(blob)).statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/private/base/blobs/" + sha256(blob)).statusCode()).isEqualTo(401);
        assertThat(registry.post("/v2/public/base/blobs/uploads/", new byte[0]).statusCode()).isEqualTo(401);
    }

    @Test
    void mountingNeedsTheRightToPullTheSource() throws Exception {
        registry.close();
        Path access = dir.resolve("narrow");
        Files.writeString(access, "team/** alice pull,push\n** admin pull,push,delete\n");
        AccessPolicy policy = AccessPolicy.load(dir.resolve("htpasswd"), Optional.of(access), List.of());
        registry = TestRegistry.start(dir.resolve("registry"), c -> c.withAccess(policy));
        byte[] blob = "secret layer".getBytes(StandardCharsets.UTF_8);
        pushAs("admin", "admin-secret", "vault/x", blob);
        for (String query : List.of("?mount=" + sha256(blob), "?mount=" + sha256(blob) + "&from=vault/x")) {
            HttpResponse<byte[]> r = as("alice", "alice-secret", registry.request("/v2/team/app/blobs/uploads/"
                    + query).POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(r.statusCode()).as("alice may not pull vault/x: an upload session, not a mount (%s)", query)
                    .isEqualTo(202);
        }
        assertThat(as("alice", "alice-secret", registry.request("/v2/team/app/blobs/" + sha256(blob)).GET())
                .statusCode()).isEqualTo(404);
        HttpResponse<byte[]> admin = as("admin", "admin-secret", registry.request("/v2/team/app/blobs/uploads/?mount="
                + sha256(blob)).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(admin.statusCode()).as("admin may pull everything").isEqualTo(201);
    }

    @Test
    void theAuditTrailNamesTheUserTheClientAndTheRequest() throws Exception {
        byte[] blob = "audited".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = pushAs("alice", "alice-secret", "team/app", blob);
        String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
        List<dev.cairn.model.JournalRecord> journal = TestRegistry.journal(registry);
        assertThat(journal).anySatisfy(rec -> {
            assertThat(rec.event()).isInstanceOf(dev.cairn.model.Event.BlobLinked.class);
            assertThat(rec.actor().principal()).isEqualTo("alice");
            assertThat(rec.actor().client()).isEqualTo("127.0.0.1");
            assertThat(rec.actor().requestId()).isEqualTo(requestId);
        });
        assertThat(journal).allSatisfy(rec -> assertThat(rec.toString()).doesNotContain("alice-secret"));
    }

    @Test
    void anAccessFileNamingAnUnknownUserIsRefused() throws Exception {
        Path access = dir.resolve("typo");
        Files.writeString(access, "** alcie pull\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                AccessPolicy.load(dir.resolve("htpasswd"), Optional.of(access), List.of()))
                .isInstanceOf(IOException.class).hasMessageContaining("line 1").hasMessageContaining("alcie");
    }
}
