package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn checkout} and {@code cairn changes}. */
class CheckoutCommandTest {

    @TempDir
    Path dir;
    private String base;
    private String child;

    record Result(int status, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    private Result cairn(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--root", dir.resolve("store").toString()));
        all.addAll(List.of(args));
        int status = Main.run(all.toArray(String[]::new), InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A plain tar of {@code name, content} pairs; a name ending in {@code /} is a directory. */
    private Path tar(String file, String... namesAndContents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] content = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i]);
                e.setSize(e.isDirectory() ? 0 : content.length);
                e.setMode(e.isDirectory() ? 040755 : 0100644);
                tar.putArchiveEntry(e);
                if (!e.isDirectory()) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            }
        }
        return Files.write(dir.resolve(file), bytes.toByteArray());
    }

    private void assertOneErrorLine(Result r, String... mentions) {
        assertThat(r.status()).isEqualTo(Main.FAILED);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().get(0)).startsWith("cairn: ").doesNotContain("Exception").contains(mentions);
    }

    @BeforeEach
    void importChain() throws IOException {
        Result b = cairn("import", tar("base.tar", "etc/", "", "etc/hosts", "localhost", "etc/passwd", "root",
                "opt/", "", "opt/a", "a").toString(), "--name", "base");
        assertThat(b.status()).as(b.err()).isZero();
        base = b.out().trim();
        Result c = cairn("import", tar("child.tar", "etc/", "", "etc/.wh.hosts", "", "etc/passwd", "root\nuser",
                "opt/", "", "opt/.wh..wh..opq", "", "opt/b", "b", "new", "n").toString(),
                "--parent", "base", "--name", "app");
        assertThat(c.status()).as(c.err()).isZero();
        child = c.out().trim();
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void checkoutWritesTheMergedChainAndPrintsNothing() throws IOException {
        Path out = dir.resolve("rootfs");

        Result r = cairn("checkout", "app", out.toString());

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEmpty();
        assertThat(tree(out)).containsExactly("etc", "etc/passwd", "new", "opt", "opt/b");
        assertThat(Files.readString(out.resolve("etc/passwd"))).isEqualTo("root\nuser");
        assertThat(Files.getAttribute(out.resolve("etc/passwd"), "unix:nlink")).isEqualTo(1);
    }

    @Test
    void checkoutOfTheBaseByIdGivesTheBaseOnly() throws IOException {
        Path out = dir.resolve("rootfs");

        assertThat(cairn("checkout", base, out.toString()).status()).isZero();

        assertThat(tree(out)).containsExactly("etc", "etc/hosts", "etc/passwd", "opt", "opt/a");
    }

    @Test
    void linkSharesTheStoresFiles() {
        Path out = dir.resolve("rootfs");

        Result r = cairn("checkout", "--link", child, out.toString());

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(out.resolve("opt/b")).hasContent("b");
        assertThat(Files.isRegularFile(out.resolve("new"))).isTrue();
        try {
            assertThat(Files.getAttribute(out.resolve("new"), "unix:nlink")).isEqualTo(2);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aTargetThatIsNotEmptyIsOneErrorLine() throws IOException {
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("mine"), "keep");

        Result r = cairn("checkout", "app", full.toString());

        assertOneErrorLine(r, full.toString(), "not empty");
        assertThat(tree(full)).containsExactly("mine");
    }

    @Test
    void anUnknownLayerIsOneErrorLineAndCreatesNothing() {
        Path out = dir.resolve("rootfs");

        assertOneErrorLine(cairn("checkout", "nope", out.toString()), "nope");
        assertOneErrorLine(cairn("changes", "nope"), "nope");
        assertThat(out).doesNotExist();
    }

    @Test
    void aMissingArgumentIsAUsageError() {
        Result r = cairn("checkout", "app");

        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("DIR");
    }

    @Test
    void changesPrintsOneLineAPathAsPodmanDiffDoes() {
        Result r = cairn("changes", "app");

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(String.join("\n", "C /etc", "D /etc/hosts", "C /etc/passwd", "A /new",
                "C /opt", "D /opt/a", "A /opt/b") + "\n");
    }

    @Test
    void changesAsJsonGroupsByKind() throws IOException {
        Result r = cairn("changes", child, "--json");

        assertThat(r.status()).as(r.err()).isZero();
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertThat(o.get("changed").toString()).isEqualTo("[\"/etc\",\"/etc/passwd\",\"/opt\"]");
        assertThat(o.get("added").toString()).isEqualTo("[\"/new\",\"/opt/b\"]");
        assertThat(o.get("deleted").toString()).isEqualTo("[\"/etc/hosts\",\"/opt/a\"]");
    }

    @Test
    void helpDescribesBothCommands() {
        assertThat(cairn("--help").out()).contains("checkout").contains("changes");
        Result h = cairn("checkout", "--help");
        assertThat(h.status()).isZero();
        assertThat(h.out()).contains("--link").contains("DIR").contains("whiteouts");
        assertThat(cairn("changes", "--help").out()).contains("--json").contains("opaque");
    }
}
