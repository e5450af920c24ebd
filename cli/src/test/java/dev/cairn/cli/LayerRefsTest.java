package dev.cairn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How every command names a layer (DESIGN.md section 8, REF): its full id, a unique prefix of at least four hex
 * characters (what {@code cairn layers} prints is one), either in {@code sha256:} form, or a name; an ambiguous
 * prefix is refused, naming the candidates, and changes nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LayerRefsTest {

    private static final String A1 = "abcd1" + "0".repeat(59);
    private static final String A2 = "abcd2" + "0".repeat(59);

    @TempDir
    Path dir;
    private CairnRun run;
    private String base;

    @BeforeEach
    void aNamedLayer() throws Exception {
        run = new CairnRun(dir.resolve("store"));
        base = run.importTar(dir, "base.tar", List.of("--name", "base"), "etc/", "", "etc/hostname", "cairn\n");
    }

    @Test
    void theShortIdThatLayersPrintsNamesTheLayer() {
        String shortId = run.cairn("layers").outLines().get(1).split(" +")[0];

        assertThat(shortId).hasSize(12);
        assertThat(run.cairn("inspect", shortId, "--format", "{{.ID}}").ok()).isEqualTo(base);
    }

    @Test
    void everyCommandThatNamesALayerTakesAPrefixTheDigestFormOrAName() throws Exception {
        for (String ref : List.of(base, base.substring(0, 4), base.substring(0, 12), "sha256:" + base,
                "sha256:" + base.substring(0, 7), "base")) {
            assertThat(run.cairn("inspect", ref, "--format", "{{.ID}}").ok()).as(ref).isEqualTo(base);
            Path tar = dir.resolve("diff-" + ref.replace(':', '-') + ".tar");
            run.cairn("diff", ref, "-o", tar.toString()).ok();
            assertThat(Files.size(tar)).isPositive();
            run.cairn("checkout", ref, dir.resolve("co-" + ref.replace(':', '-')).toString()).ok();
            assertThat(run.cairn("changes", ref).outLines()).contains("A /etc/hostname");
            assertThat(run.cairn("names", ref).outLines()).containsExactly("base");
            assertThat(run.cairn("log", "--layer", ref).outLines()).isNotEmpty();
        }
        String child = run.cairn("create", "--parent", base.substring(0, 6), "--name", "child").ok();
        assertThat(run.cairn("inspect", child, "--format", "{{.Parent}}").ok()).isEqualTo(base);
        String imported = run.importTar(dir, "c.tar", List.of("--parent", "sha256:" + base.substring(0, 8)), "x", "y");
        assertThat(run.cairn("inspect", imported, "--format", "{{.Parent}}").ok()).isEqualTo(base);
        String sid = run.cairn("stage", CairnRun.tar(dir.resolve("s.tar"), "s", "t").toString()).ok();
        String applied = run.cairn("apply", sid, "--parent", child.substring(0, 5)).ok();
        assertThat(run.cairn("inspect", applied, "--format", "{{.Parent}}").ok()).isEqualTo(child);

        run.cairn("delete", applied.substring(0, 10), imported.substring(0, 10)).ok();

        assertThat(run.cairn("layers", "-q", "--no-trunc").outLines()).containsExactlyInAnyOrder(base, child);
    }

    @Test
    void anAmbiguousPrefixIsRefusedListingTheCandidatesAndChangesNothing() {
        run.cairn("create", "--id", A1).ok();
        run.cairn("create", "--id", A2).ok();
        List<String> before = run.cairn("log").outLines();

        for (String[] command : List.of(new String[] {"inspect", "abcd"}, new String[] {"delete", "abcd"},
                new String[] {"names", "abcd", "--add", "x"}, new String[] {"create", "--parent", "abcd"},
                new String[] {"diff", "sha256:abcd", "-o", dir.resolve("x.tar").toString()})) {
            run.cairn(command).refused("'" + command[1 + (command[0].equals("create") ? 1 : 0)] + "' is ambiguous",
                    A1, A2);
        }

        assertThat(run.cairn("log").outLines()).isEqualTo(before);
        assertThat(dir.resolve("x.tar")).doesNotExist();
        assertThat(run.cairn("inspect", "abcd1", "--format", "{{.ID}}").ok()).isEqualTo(A1);
    }

    @Test
    void aHexPrefixShorterThanFourCharactersIsNoId() {
        run.cairn("inspect", base.substring(0, 3)).refused("layer not known: " + base.substring(0, 3));
    }

    @Test
    void aNameWinsOverAnIdPrefixItSpells() {
        String other = run.cairn("create", "--name", base.substring(0, 6)).ok();

        assertThat(run.cairn("inspect", base.substring(0, 6), "--format", "{{.ID}}").ok()).isEqualTo(other);
        assertThat(run.cairn("inspect", base.substring(0, 7), "--format", "{{.ID}}").ok()).isEqualTo(base);
        assertThat(run.cairn("inspect", "sha256:" + base.substring(0, 6), "--format", "{{.ID}}").ok())
                .as("the digest form is an id, never a name").isEqualTo(base);
    }

    @Test
    void aDeletedLayersLifeCanBeAskedForByAPrefixOfItsId() {
        String gone = run.cairn("create", "--parent", "base").ok();
        run.cairn("delete", gone).ok();

        List<String> life = run.cairn("log", "--layer", gone.substring(0, 8)).outLines();

        assertThat(life).anyMatch(l -> l.contains("LayerDeleted " + gone));
    }

    @Test
    void namesThatLookLikeIdsOrOptionsAreRefused() {
        run.cairn("names", "base", "--add", A1).refused("looks like a layer id");
        run.cairn("names", "base", "--add=-rf").refused("'-rf'", "option");
        run.cairn("names", "base", "--add", "sha256:beef").refused("digest form");
        run.cairn("create", "--name=--x").refused("'--x'");

        assertThat(run.cairn("names", "base").outLines()).containsExactly("base");
    }

    @Test
    void inspectTakesSeveralRefsAndPrintsAnArrayOfThemAsJson() throws Exception {
        String empty = run.cairn("create", "--name", "empty").ok();

        var json = new ObjectMapper().readTree(run.cairn("inspect", "base", empty.substring(0, 6), "--json").out());

        assertThat(json.isArray()).isTrue();
        assertThat(json.findValuesAsText("id")).containsExactly(base, empty);
        assertThat(new ObjectMapper().readTree(run.cairn("inspect", "base", "--json").out()).isObject()).isTrue();
        run.cairn("inspect", "base", "nosuch").refused("nosuch");
    }

    @Test
    void deleteTakesSeveralRefsChildrenFirstAndRefusesBeforeDeletingAnything() {
        String child = run.cairn("create", "--parent", "base", "--name", "child").ok();
        run.cairn("create", "--parent", "child", "--name", "grandchild").ok();

        run.cairn("delete", "base", "child").refused("has 1 child layer");
        assertThat(run.cairn("layers", "-q").outLines()).hasSize(3);

        run.cairn("delete", "base", "grandchild", child.substring(0, 8)).ok();
        assertThat(run.cairn("layers", "-q").outLines()).isEmpty();
    }
}
