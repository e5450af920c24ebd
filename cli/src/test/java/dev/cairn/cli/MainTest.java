package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code cairn} command run in this process against a fresh store: outputs, exit codes, error lines. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MainTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEX64 = "[0-9a-f]{64}";

    @TempDir
    Path dir;

    /** What one command line did. */
    record Result(int status, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    private Result cairn(String... args) {
        return cairnWithInput(InputStream.nullInputStream(), args);
    }

    private Result cairnWithInput(InputStream in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--root", dir.resolve("store").toString()));
        all.addAll(List.of(args));
        int status = Main.run(all.toArray(String[]::new), in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A plain tar with the given files (path to content). */
    private static byte[] tar(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> f : files.entrySet()) {
                byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(content.length);
                e.setMode(0644);
                e.setModTime(1_700_000_000_000L);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(plain);
        }
        return bytes.toByteArray();
    }

    private static String sha256Hex(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private Path baseTarGz() throws IOException {
        return file("base.tar.gz", gzip(tar(Map.of("etc/hello", "hello\n", "a", "x"))));
    }

    private Path childTar() throws IOException {
        return file("child.tar", tar(Map.of("b", "y")));
    }

    private String importOk(String... args) {
        Result r = cairn(args);
        assertThat(r.status()).as("import %s: %s", List.of(args), r.err()).isZero();
        assertThat(r.out()).matches(HEX64 + "\n");
        return r.out().trim();
    }

    private JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    private static void assertOneErrorLine(Result r, String... mentions) {
        assertThat(r.status()).isEqualTo(Main.FAILED);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().get(0)).startsWith("cairn: ").doesNotContain("Exception");
        for (String m : mentions) {
            assertThat(r.errLines().get(0)).contains(m);
        }
    }

    // --- import, layers, inspect ---------------------------------------------------------------------------------

    // --- diff ---------------------------------------------------------------------------------------------------

    @Test
    void diffWritesTheOriginalTarToStdoutOrAFile() throws Exception {
        byte[] plain = tar(Map.of("etc/hello", "hello\n", "a", "x"));
        String id = importOk("import", file("base.tar.gz", gzip(plain)).toString(), "--name", "base");

        Result r = cairn("diff", "base");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().getBytes(StandardCharsets.UTF_8)).isEqualTo(plain);

        Path out = dir.resolve("out.tar");
        Result toFile = cairn("diff", id, "-o", out.toString());
        assertThat(toFile.status()).as(toFile.err()).isZero();
        assertThat(toFile.out()).isEmpty();
        assertThat(Files.readAllBytes(out)).isEqualTo(plain);
        assertThat(sha256Hex(Files.readAllBytes(out))).isEqualTo(id);
    }

    @Test
    void diffOfAnEmptyLayerIsTheEmptyTar() throws Exception {
        Result created = cairn("create", "--name", "empty");
        assertThat(created.status()).as(created.err()).isZero();
        Path out = dir.resolve("empty.tar");

        assertThat(cairn("diff", "empty", "-o", out.toString()).status()).isZero();

        assertThat(Files.readAllBytes(out)).isEqualTo(new byte[1024]);
    }

    @Test
    void aModifiedLayerFailsDiffNamingTheFileAndFailsVerifyDeep() throws Exception {
        String id = importOk("import", baseTarGz().toString());
        Files.writeString(dir.resolve("store/layers/" + id + "/diff/etc/hello"), "HELLO\n");
        Path out = dir.resolve("out.tar");

        Result r = cairn("diff", id, "-o", out.toString());

        assertOneErrorLine(r, id, "etc/hello");
        assertThat(out).doesNotExist();
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("partial"));
        }
        Result verify = cairn("verify", "--deep");
        assertThat(verify.status()).isEqualTo(Main.FAILED);
        assertThat(verify.out()).contains("etc/hello");
    }

    @Test
    void diffOfAnUnknownLayerFailsWithOneLine() throws Exception {
        importOk("import", childTar().toString());
        assertOneErrorLine(cairn("diff", "nope"), "nope");
    }

    @Test
    void importOfABaseLayerPrintsItsDiffIdAsTheId() throws Exception {
        byte[] plain = tar(Map.of("etc/hello", "hello\n"));
        Path tgz = file("l.tar.gz", gzip(plain));

        Result r = cairn("import", tgz.toString());

        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo(sha256Hex(plain) + "\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void importReadsStdinForADash() throws Exception {
        byte[] plain = tar(Map.of("x", "1"));

        Result r = cairnWithInput(new ByteArrayInputStream(plain), "import", "-", "--name", "from-stdin");

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().trim()).isEqualTo(sha256Hex(plain));
        assertThat(cairn("inspect", "from-stdin").out()).contains("id:").contains(sha256Hex(plain));
    }

    @Test
    void importChecksTheExpectedDiffId() throws Exception {
        byte[] plain = tar(Map.of("x", "1"));
        Path t = file("x.tar", plain);

        assertOneErrorLine(cairn("import", t.toString(), "--expect-diff-id", "sha256:" + "0".repeat(64)),
                "sha256:" + "0".repeat(64));
        assertThat(importOk("import", t.toString(), "--expect-diff-id", "sha256:" + sha256Hex(plain)))
                .isEqualTo(sha256Hex(plain));
    }

    @Test
    void importOfAMissingFileFailsNamingIt() {
        assertOneErrorLine(cairn("import", dir.resolve("nope.tar").toString()), "nope.tar");
    }

    @Test
    void layersJsonHasTheContractKeysInOrder() throws Exception {
        String base = importOk("import", baseTarGz().toString(), "--name", "base");
        String child = importOk("import", childTar().toString(), "--parent", "base");

        Result r = cairn("layers", "--json");

        assertThat(r.status()).isZero();
        JsonNode layers = json(r.out());
        assertThat(layers.isArray()).isTrue();
        assertThat(layers).hasSize(2);
        List<String> keys = new ArrayList<>();
        layers.get(0).fieldNames().forEachRemaining(keys::add);
        assertThat(keys.subList(0, 9)).containsExactly("id", "parent", "names", "created", "diffDigest", "diffSize",
                "compressedDigest", "compressedSize", "compression");
        JsonNode b = layers.get(0);
        assertThat(b.get("id").asText()).isEqualTo(base);
        assertThat(b.get("parent").isNull()).isTrue();
        assertThat(b.get("names").get(0).asText()).isEqualTo("base");
        assertThat(b.get("diffDigest").asText()).isEqualTo("sha256:" + base);
        assertThat(b.get("compression").asText()).isEqualTo("gzip");
        assertThat(b.get("compressedDigest").asText()).isEqualTo("sha256:" + sha256Hex(Files.readAllBytes(baseTarGz())));
        assertThat(java.time.Instant.parse(b.get("created").asText())).isNotNull();
        JsonNode c = layers.get(1);
        assertThat(c.get("id").asText()).isEqualTo(child);
        assertThat(c.get("parent").asText()).isEqualTo(base);
        assertThat(c.get("names")).isEmpty();
        assertThat(c.get("compression").asText()).isEqualTo("none");
    }

    @Test
    void layersTextIsATableWithShortIds() throws Exception {
        String base = importOk("import", baseTarGz().toString(), "--name", "base");

        Result r = cairn("layers");

        assertThat(r.status()).isZero();
        assertThat(r.outLines()).hasSize(2);
        assertThat(r.outLines().get(0)).startsWith("ID").contains("NAMES");
        assertThat(r.outLines().get(1)).startsWith(base.substring(0, 12) + " ").contains("base");
    }

    @Test
    void inspectShowsOneLayerByIdOrName() throws Exception {
        String base = importOk("import", baseTarGz().toString(), "--name", "base");

        Result text = cairn("inspect", "base");
        Result byId = cairn("inspect", base, "--json");

        assertThat(text.status()).isZero();
        assertThat(text.outLines()).anyMatch(l -> l.matches("id:\\s+" + base));
        assertThat(text.outLines()).anyMatch(l -> l.matches("parent:\\s+-"));
        assertThat(byId.status()).isZero();
        assertThat(json(byId.out()).get("id").asText()).isEqualTo(base);
        assertThat(json(byId.out()).get("names").get(0).asText()).isEqualTo("base");
    }

    @Test
    void inspectOfAnUnknownLayerFailsWithOneLineNamingIt() {
        assertThat(cairn("create").status()).isZero();
        assertOneErrorLine(cairn("inspect", "no-such-layer"), "no-such-layer");
    }

    @Test
    void aQueryWhereThereIsNoStoreSaysSoAndCreatesNothing() {
        assertOneErrorLine(cairn("layers"), "no Cairn store");
        assertThat(cairn("log").status()).isEqualTo(1);
        assertThat(dir.resolve("store")).doesNotExist();
    }

    // --- errors that change nothing ------------------------------------------------------------------------------

    @Test
    void aNameInUseIsRefused() throws Exception {
        importOk("import", baseTarGz().toString(), "--name", "base");

        assertOneErrorLine(cairn("create", "--name", "base"), "base");
        assertThat(json(cairn("layers", "--json").out())).hasSize(1);
    }

    /** The name case: base holds it, and a layer on base cannot be base (a duplicate would keep base's parent). */
    @ParameterizedTest
    @ValueSource(strings = {"--parent=nosuch;nosuch", "--parent=base --name=base;base"})
    void aMissingParentOrANameInUseIsRefusedBeforeTheTarballIsRead(String optionsAndNamed) throws Exception {
        importOk("import", baseTarGz().toString(), "--name", "base");
        List<String> records = cairn("log").outLines();
        int[] reads = {0};
        InputStream counting = new InputStream() {
            @Override
            public int read() {
                reads[0]++;
                return -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                reads[0]++;
                return -1;
            }
        };
        List<String> args = new ArrayList<>(List.of("import", "-"));
        args.addAll(List.of(optionsAndNamed.split(";")[0].split(" ")));

        assertOneErrorLine(cairnWithInput(counting, args.toArray(String[]::new)), optionsAndNamed.split(";")[1]);

        assertThat(reads[0]).as("reads of the tarball").isZero();
        assertThat(cairn("log").outLines()).as("nothing journaled").isEqualTo(records);
    }

    @Test
    void aLayerWithChildrenCannotBeDeletedByIdOrName() throws Exception {
        String base = importOk("import", baseTarGz().toString(), "--name", "base");
        importOk("import", childTar().toString(), "--parent", base);

        assertOneErrorLine(cairn("delete", "base"), base);
        assertOneErrorLine(cairn("delete", base), base);
        assertThat(json(cairn("layers", "--json").out())).hasSize(2);
    }

    @Test
    void deleteRemovesALeaf() throws Exception {
        importOk("import", baseTarGz().toString(), "--name", "base");

        Result r = cairn("delete", "base");

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(json(cairn("layers", "--json").out())).isEmpty();
    }

    @Test
    void aCorruptArchiveIsRefusedAndLeavesNoLayer() throws Exception {
        byte[] tgz = gzip(tar(Map.of("a", "x".repeat(10_000))));
        Path truncated = file("bad.tar.gz", java.util.Arrays.copyOf(tgz, tgz.length / 2));

        assertOneErrorLine(cairn("import", truncated.toString()), "bad.tar.gz: ", "the gzip stream ends early");
        Result layers = cairn("layers", "--json");
        assertThat(layers.status()).isZero();
        assertThat(json(layers.out())).isEmpty();
        assertThat(cairn("stagings", "-q").out()).isEmpty();
    }

    @Test
    void aFileThatIsNoTarballIsSaidToBeOneInTheUsersTerms() throws Exception {
        Path text = file("notes.txt", "hello, this is not a tar\n".repeat(40).getBytes(StandardCharsets.UTF_8));

        assertOneErrorLine(cairn("import", text.toString()), "notes.txt: not a tar archive (the file starts with text");
        assertThat(cairn("stagings", "-q").out()).isEmpty();
    }

    @Test
    void anUnsafeArchiveIsRefusedAndLeavesNoLayer() throws Exception {
        Path evil = file("evil.tar", tar(Map.of("../escape", "boo")));

        assertOneErrorLine(cairn("import", evil.toString()));
        assertThat(json(cairn("layers", "--json").out())).isEmpty();
        assertThat(dir.resolve("escape")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-id", "ABCDEF"})
    void aBadIdIsAnErrorNotAUsageError(String id) {
        assertOneErrorLine(cairn("create", "--id", id), id);
    }

    // --- stage, apply, cleanup, create, names --------------------------------------------------------------------

    @Test
    void stageAndApplyWorkInSeparateStoreOpens() throws Exception {
        Result staged = cairn("stage", baseTarGz().toString());
        assertThat(staged.status()).as(staged.err()).isZero();
        assertThat(staged.out()).matches("[0-9a-f]{32}\n");
        String sid = staged.out().trim();

        Result applied = cairn("apply", sid, "--name", "base");
        assertThat(applied.status()).as(applied.err()).isZero();
        assertThat(applied.out()).matches(HEX64 + "\n");

        Result cleaned = cairn("cleanup", sid);
        assertThat(cleaned.status()).as(cleaned.err()).isZero();
        assertThat(cleaned.out()).isEmpty();
        assertThat(cairn("inspect", "base").status()).isZero();
        assertOneErrorLine(cairn("apply", sid), sid);
    }

    @Test
    void createMakesAnEmptyLayerOnAParent() throws Exception {
        String base = importOk("import", baseTarGz().toString(), "--name", "base");

        Result r = cairn("create", "--parent", "base", "--name", "top");

        assertThat(r.status()).as(r.err()).isZero();
        JsonNode top = json(cairn("inspect", "top", "--json").out());
        assertThat(top.get("id").asText()).isEqualTo(r.out().trim());
        assertThat(top.get("parent").asText()).isEqualTo(base);
        assertThat(top.get("compressedDigest").isNull()).isTrue();
        assertThat(top.get("compression").isNull()).isTrue();
    }

    @Test
    void namesAreShownAddedRemovedAndSet() throws Exception {
        String id = importOk("import", baseTarGz().toString(), "--name", "a");

        assertThat(cairn("names", id, "--add", "b", "--add", "c").outLines()).containsExactly("a", "b", "c");
        assertThat(cairn("names", "b", "--remove", "a").outLines()).containsExactly("b", "c");
        assertThat(cairn("names", id, "--set", "z").outLines()).containsExactly("z");
        assertThat(cairn("names", "z").outLines()).containsExactly("z");
        assertThat(cairn("names", id, "--set", "z", "--add", "y").status()).isEqualTo(Main.USAGE);
    }

    // --- log, replay, verify -------------------------------------------------------------------------------------

    @Test
    void logJsonHasOneObjectPerRecordWithTheEnvelopeAndTheLayer() throws Exception {
        String base = importOk("import", baseTarGz().toString(), "--name", "base");

        Result r = cairn("log", "--json");

        assertThat(r.status()).as(r.err()).isZero();
        List<JsonNode> records = new ArrayList<>();
        for (String line : r.outLines()) {
            records.add(json(line));
        }
        assertThat(records).isNotEmpty();
        long seq = 0;
        for (JsonNode rec : records) {
            assertThat(rec.has("seq") && rec.has("time") && rec.has("type") && rec.has("actor")).isTrue();
            assertThat(rec.get("seq").asLong()).isEqualTo(++seq);
        }
        assertThat(records).filteredOn(rec -> rec.get("type").asText().equals("LayerCommitted"))
                .singleElement().satisfies(rec -> assertThat(rec.get("layer").asText()).isEqualTo(base));
    }

    @Test
    void logTextHasOneLinePerRecord() throws Exception {
        String base = importOk("import", baseTarGz().toString());

        Result r = cairn("log");

        assertThat(r.status()).isZero();
        assertThat(r.outLines()).isNotEmpty().allMatch(l -> l.matches("\\d+ \\S+ \\S+@\\S+\\[\\d+\\] [A-Za-z]+ .*"));
        assertThat(r.outLines()).anyMatch(l -> l.contains(" LayerCommitted " + base));
    }

    @Test
    void logOfOneLayerShowsItsLifeAndTheStagingItCameFrom() throws Exception {
        String base = importOk("import", baseTarGz().toString(), "--name", "base");
        importOk("import", childTar().toString(), "--parent", "base");

        Result r = cairn("log", "--layer", "base", "--json");

        assertThat(r.status()).as(r.err()).isZero();
        List<String> types = new ArrayList<>();
        for (String line : r.outLines()) {
            JsonNode rec = json(line);
            types.add(rec.get("type").asText());
            if (rec.has("layer")) {
                assertThat(rec.get("layer").asText()).isEqualTo(base);
            }
        }
        assertThat(types).containsSubsequence("StagingStarted", "DiffStaged", "LayerCreated", "LayerCommitted",
                "StagingCleaned");
    }

    @Test
    void replayShowsTheLayersAsTheyWereAfterARecord() throws Exception {
        String base = importOk("import", baseTarGz().toString(), "--name", "base");
        List<String> log = cairn("log", "--json").outLines();
        long afterBase = json(log.get(log.size() - 1)).get("seq").asLong();
        importOk("import", childTar().toString(), "--parent", "base");
        cairn("delete", "base"); // refused: it has a child

        JsonNode then = json(cairn("replay", "--until", Long.toString(afterBase), "--json").out());
        JsonNode empty = json(cairn("replay", "--until", "0", "--json").out());

        assertThat(then).hasSize(1);
        assertThat(then.get(0).get("id").asText()).isEqualTo(base);
        assertThat(empty).isEmpty();
        assertThat(json(cairn("layers", "--json").out())).hasSize(2);
        assertOneErrorLine(cairn("replay", "--until", "1000000"), "1000000");
    }

    @Test
    void verifyOfAHealthyStorePasses() throws Exception {
        importOk("import", baseTarGz().toString());

        Result quick = cairn("verify");
        Result deep = cairn("verify", "--deep");

        assertThat(quick.status()).as(quick.err()).isZero();
        assertThat(quick.out()).contains("records verified:").contains("head hash:        sha256:");
        assertThat(deep.status()).as(deep.err()).isZero();
        assertThat(deep.out()).contains("layers checked:   1 (folders and contents)");
    }

    /** Leaves a staging unfinished, as a process killed while extracting it would (the saga stops dead). */
    private String leaveAnUnfinishedStaging() throws Exception {
        importOk("import", baseTarGz().toString());
        dev.cairn.model.internal.FaultPoints.install(point -> {
            if (point.equals(dev.cairn.model.internal.FaultPoints.STAGING_EXTRACTED)) {
                throw new Error("killed");
            }
        });
        try (dev.cairn.store.LayerStore store = dev.cairn.store.LayerStore.open(dir.resolve("store"))) {
            store.stage(Files.newInputStream(childTar()));
        } catch (Error killed) {
            // as if the process had died here
        } finally {
            dev.cairn.model.internal.FaultPoints.install(null);
        }
        try (var names = Files.list(dir.resolve("store").resolve("staging"))) {
            return names.findFirst().orElseThrow().getFileName().toString();
        }
    }

    @Test
    void verifyReportsPendingRecoveryAndRecoverDryRunChangesNothing() throws Exception {
        String sid = leaveAnUnfinishedStaging();

        Result verify = cairn("verify");
        Result dryRun = cairn("recover", "--dry-run");

        assertThat(verify.status()).as("pending recovery is not damage").isZero();
        assertThat(verify.out()).contains("recovery pending: 1 (run 'cairn recover'")
                .contains("pending: discard-staging " + sid + ": owner process");
        assertThat(dryRun.status()).isZero();
        assertThat(dryRun.outLines()).containsExactly(
                "would discard-staging " + sid + ": owner process " + ProcessHandle.current().pid() + " on "
                        + dev.cairn.model.Actor.process().host() + " ended before the staging finished",
                "1 step to take; run 'cairn recover' to take them");
        assertThat(dir.resolve("store").resolve("staging").resolve(sid)).isDirectory();
    }

    @Test
    void recoverTakesThePendingStepsAndSaysWhichRecordsItWrote() throws Exception {
        String sid = leaveAnUnfinishedStaging();

        Result r = cairn("recover");

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.outLines()).hasSize(2);
        assertThat(r.outLines().get(0)).startsWith("recovered: ").contains("StagingDiscarded").contains(sid);
        assertThat(r.outLines().get(1)).isEqualTo("1 step taken");
        assertThat(dir.resolve("store").resolve("staging").resolve(sid)).doesNotExist();
        assertThat(cairn("verify").out()).contains("recovery pending: 0");
        assertThat(cairn("recover", "--dry-run").outLines()).containsExactly(
                "0 steps to take; run 'cairn recover' to take them");
    }

    @Test
    void importOfALayerThatExistsAddsTheNewNameAndSaysSo() throws Exception {
        String id = importOk("import", baseTarGz().toString(), "--name", "a");

        Result again = cairn("import", baseTarGz().toString(), "--name", "a", "--name", "b");

        assertThat(again.status()).isZero();
        assertThat(again.out()).isEqualTo(id + "\n");
        assertThat(again.errLines()).containsExactly("cairn: layer " + id
                + " exists already; kept, with the names added: b");
        assertThat(cairn("inspect", "b").out()).contains(id);
    }

    @Test
    void importOfAnEmptyFileIsRefusedWithOneLineAndChangesNothing() throws Exception {
        Path empty = file("empty.tar", new byte[0]);

        Result r = cairn("import", empty.toString());

        assertOneErrorLine(r, "empty.tar: not a tar archive: the input is empty (0 bytes");
        assertThat(cairn("log").outLines()).isEmpty();
    }

    @Test
    void repairCutsADamagedJournalBackAndTheStoreWorksAgain() throws Exception {
        String base = importOk("import", baseTarGz().toString());
        String child = importOk("import", childTar().toString(), "--parent", base);
        Path cycle;
        try (var files = Files.list(dir.resolve("store").resolve("journal"))) {
            cycle = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(cycle);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        bytes[text.lastIndexOf(child) + 3] ^= 0x01;
        Files.write(cycle, bytes);
        // the snapshot the import left at the head answers queries without reading records (docs/JOURNAL.md,
        // "A read-only open at the head"); a command that reads them meets the damage
        assertThat(cairn("layers").status()).isZero();
        Result logOfDamaged = cairn("log");
        assertThat(logOfDamaged.status()).isEqualTo(Main.FAILED);
        assertThat(logOfDamaged.outLines()).as("the records before the damaged one").isNotEmpty();
        assertThat(logOfDamaged.errLines()).singleElement().asString().startsWith("cairn: ")
                .contains("journal is damaged at record", "checksum failed", "cairn repair")
                .doesNotContain("Exception", ".cq4", "index");
        Result verify = cairn("verify");
        assertThat(verify.status()).isEqualTo(Main.FAILED);
        assertThat(verify.outLines()).contains("problems:         1").anyMatch(l -> l.startsWith("records verified: "))
                .anyMatch(l -> l.startsWith("problem: journal record ") && l.contains("checksum failed"));
        assertThat(verify.errLines()).singleElement().asString().contains("cairn repair").doesNotContain(".cq4");

        Result repair = cairn("repair");

        assertThat(repair.status()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("damaged copy:     " + dir.resolve("store").toRealPath() + "/journal.damaged-")
                .contains("last good seq:").contains("records dropped:  ").contains("checksum failed");
        assertThat(cairn("verify").status()).isZero();
        Result layers = cairn("layers", "--json");
        assertThat(layers.status()).isZero();
        assertThat(json(layers.out()).findValuesAsText("id")).containsExactly(base);
        Result again = cairn("repair");
        assertThat(again.status()).isZero();
        assertThat(again.out()).startsWith("journal is sound; nothing changed");
    }

    @Test
    void repairWhereThereIsNoStoreFails() {
        assertOneErrorLine(cairn("repair"), dir.resolve("store").toString());
        assertThat(dir.resolve("store")).doesNotExist();
    }

    // --- the command line itself ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "import", "replay", "nonsense", "diff a b", "import x --bogus", "replay --until x"})
    void aUsageErrorExitsWith2(String args) {
        Result r = cairn(args.isEmpty() ? new String[] {"layers", "--what"} : args.split(" "));

        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines().get(0)).startsWith("cairn: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "import", "stage", "apply", "cleanup", "create", "layers", "inspect", "delete",
            "names", "log", "history", "replay", "verify", "recover", "repair"})
    void everyCommandHasHelp(String command) {
        Result r = command.isEmpty() ? cairn("--help") : cairn(command, "--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("Usage: cairn");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void versionIsPrinted() {
        Result r = cairn("--version");

        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("cairn ");
        assertThat(cairn("-V", "--debug")).isEqualTo(r);
    }

    @Test
    void onlyALineWithNoCommandAndNoHelpAsksForTheVersionAlone() {
        assertThat(Main.versionOnly(new String[] {"--version"})).isTrue();
        assertThat(Main.versionOnly(new String[] {"--root", "r", "-V", "--debug"})).isTrue();
        assertThat(Main.versionOnly(new String[] {})).isFalse();
        assertThat(Main.versionOnly(new String[] {"--version", "--help"})).isFalse();
        assertThat(Main.versionOnly(new String[] {"-hV"})).isFalse();
        assertThat(Main.versionOnly(new String[] {"-Vh"})).isFalse();
        assertThat(Main.versionOnly(new String[] {"--version", "layres"})).isFalse();
        assertThat(Main.versionOnly(new String[] {"--version", "--", "x"})).isFalse();
        // a word after --version is parsed against the commands, as before (picocli prints the version)
        Result r = cairn("--version", "layres");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("cairn ");
    }

    @Test
    void theDefaultRootFollowsTheEnvironment() {
        assertThat(Main.defaultRoot(Map.of("CAIRN_ROOT", "/r", "XDG_DATA_HOME", "/x"), "/home/u"))
                .isEqualTo(Path.of("/r"));
        assertThat(Main.defaultRoot(Map.of("XDG_DATA_HOME", "/x"), "/home/u")).isEqualTo(Path.of("/x/cairn"));
        assertThat(Main.defaultRoot(Map.of(), "/home/u")).isEqualTo(Path.of("/home/u/.local/share/cairn"));
    }

    @Test
    void everyCommandIsRegisteredUnderItsOwnName() throws Exception {
        Main.COMMANDS.forEach((name, type) ->
                assertThat(type.getAnnotation(picocli.CommandLine.Command.class).name()).isEqualTo(name));

        List<Class<?>> commands = commandClasses();
        assertThat(commands).as("the @Command classes found").contains(ImportCommand.class, VersionCommand.class);
        for (Class<?> c : commands) {
            String name = c.getAnnotation(picocli.CommandLine.Command.class).name();
            assertThat(Main.COMMANDS).as("Main.COMMANDS lists %s", c.getSimpleName()).containsEntry(name, c);
        }
    }

    /** Every top-level class of this package, as compiled, that is a {@code @Command} other than {@code Main}. */
    private static List<Class<?>> commandClasses() throws Exception {
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(classes)) {
            try (var files = Files.list(classes.resolve("dev/cairn/cli"))) {
                files.map(f -> f.getFileName().toString()).forEach(names::add);
            }
        } else {
            try (var jar = new java.util.jar.JarFile(classes.toFile())) {
                jar.stream().map(e -> e.getName()).filter(n -> n.matches("dev/cairn/cli/[^/]+"))
                        .map(n -> n.substring("dev/cairn/cli/".length())).forEach(names::add);
            }
        }
        List<Class<?>> commands = new ArrayList<>();
        for (String file : names) {
            if (file.endsWith(".class") && !file.contains("$")) {
                Class<?> c = Class.forName("dev.cairn.cli." + file.substring(0, file.length() - ".class".length()));
                if (c != Main.class && c.isAnnotationPresent(picocli.CommandLine.Command.class)) {
                    commands.add(c);
                }
            }
        }
        return commands;
    }

    @Test
    void theHelpListsEveryCommand() {
        Result r = cairn("--help");

        for (String name : Main.COMMANDS.keySet()) {
            assertThat(r.out()).containsPattern("(?m)^  " + name + " ");
        }
    }

    @Test
    void theCommandIsTheFirstWordThatIsNoOptionNorTheRootsValue() {
        assertThat(Main.commandName(new String[] {"--root", "import", "layers", "--json"})).isEqualTo("layers");
        assertThat(Main.commandName(new String[] {"--debug", "inspect", "import"})).isEqualTo("inspect");
        assertThat(Main.commandName(new String[] {"--root", "/r", "--help"})).isNull();
        assertThat(Main.commandName(new String[] {})).isNull();
    }

    @Test
    void aMisspeltCommandIsStillSuggested() {
        Result r = cairn("layrs");

        assertThat(r.status()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("did you mean 'layers'");
    }

    @Test
    void aCommandRunsWhateverStandsBeforeIt() {
        String id = cairn("create", "--name", "import").out().trim();

        Result r = cairn("--debug", "inspect", "import");

        assertThat(r.status()).isZero();
        assertThat(r.out()).contains(id);
    }

    // --- disk use: df, prune, stagings, completion --------------------------------------------------------------

    @Test
    void stagingsListsEachWithItsStateAndOwner() throws Exception {
        String sid = cairn("stage", childTar().toString()).out().trim();
        String applied = cairn("stage", baseTarGz().toString()).out().trim();
        importOk("apply", applied);

        Result r = cairn("stagings", "--json");

        assertThat(r.status()).as(r.err()).isZero();
        JsonNode all = json(r.out());
        assertThat(all.findValuesAsText("id")).containsExactlyInAnyOrder(sid, applied);
        for (JsonNode s : all) {
            assertThat(s.get("state").asText()).isEqualTo(s.get("id").asText().equals(sid) ? "staged" : "applied");
            assertThat(s.get("ownerPid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(s.get("ownerAlive").asBoolean()).as("a finished staging's owner holds it no more").isFalse();
        }
        assertThat(cairn("stagings", "-q").outLines()).containsExactlyInAnyOrder(sid, applied);
        assertThat(cairn("stagings").outLines().get(0)).matches("ID +STATE +STARTED +SIZE +LAYER +OWNER");
    }

    @Test
    void dfCountsEachAreaAndPruneReclaimsWhatItSaidJournalingEachRemoval() throws Exception {
        importOk("import", baseTarGz().toString());
        String sid = cairn("stage", childTar().toString()).out().trim();

        JsonNode before = json(cairn("df", "--json").out());
        JsonNode aged = json(cairn("df", "--json", "--stagings-older-than", "0").out());

        assertThat(before.findValuesAsText("area")).containsExactly("layers", "stagings", "trash", "journal",
                "snapshots");
        assertThat(before.get(0).get("count").asLong()).isEqualTo(1);
        assertThat(before.get(1).get("count").asLong()).isEqualTo(1);
        assertThat(before.get(1).get("bytes").asLong()).isPositive();
        assertThat(before.get(1).get("reclaimableBytes").asLong()).as("a staging a week old is kept").isZero();
        assertThat(aged.get(1).get("reclaimableCount").asLong()).isEqualTo(1);
        assertThat(aged.get(1).get("reclaimableBytes").asLong()).isEqualTo(before.get(1).get("bytes").asLong());
        assertThat(cairn("df").outLines()).anyMatch(l -> l.matches("stagings +1 +.*")).last().asString()
                .startsWith("total");

        Result dry = cairn("prune", "--dry-run", "--stagings-older-than", "0");
        assertThat(dry.outLines()).containsExactly("would discard-staging " + sid + ": " + dry.outLines().get(0)
                .substring(("would discard-staging " + sid + ": ").length()), dry.outLines().get(1));
        assertThat(dry.outLines().get(1)).startsWith("1 step to take; would reclaim ");
        assertThat(cairn("stagings", "-q").outLines()).containsExactly(sid);

        Result prune = cairn("prune", "--stagings-older-than", "0");

        assertThat(prune.status()).as(prune.err()).isZero();
        assertThat(prune.outLines()).hasSize(2);
        assertThat(prune.outLines().get(0)).startsWith("removed: ").contains("StagingDiscarded " + sid);
        assertThat(prune.outLines().get(1)).isEqualTo("1 step taken; reclaimed "
                + Sizes.human(before.get(1).get("bytes").asLong()));
        assertThat(cairn("stagings", "-q").outLines()).isEmpty();
        assertThat(cairn("log").outLines()).anyMatch(l -> l.contains("StagingDiscarded " + sid));
        assertThat(cairn("prune").outLines()).containsExactly("0 steps taken; reclaimed 0 B");
    }

    @Test
    void completionScriptsKnowEveryCommand() {
        Result bash = cairn("completion", "bash");
        Result zsh = cairn("completion", "zsh");

        assertThat(bash.status()).isZero();
        assertThat(bash.out()).contains("complete -F").contains("layers").contains("prune").contains("--no-trunc");
        assertThat(zsh.out()).startsWith("#compdef cairn").contains("bashcompinit").contains(bash.out());
        assertThat(cairn("completion", "fish").status()).isEqualTo(Main.USAGE);
    }

    @Test
    void verifyDeepSaysWhatIsWrongInPlainWordsOncePerFile() throws Exception {
        String id = importOk("import", baseTarGz().toString());
        Files.writeString(dir.resolve("store/layers/" + id + "/diff/etc/hello"), "HELLO\n");

        Result r = cairn("verify", "--deep");

        assertThat(r.status()).isEqualTo(Main.FAILED);
        assertThat(r.outLines()).contains("problems:         1").filteredOn(l -> l.startsWith("problem: "))
                .singleElement().asString()
                .startsWith("problem: layer " + id + ": etc/hello is changed (its contents no longer match)")
                .doesNotContain("Problem[", "kind=");
        assertThat(r.errLines()).containsExactly("cairn: verify found 1 problem");
    }
}
