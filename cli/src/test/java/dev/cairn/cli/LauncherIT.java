package dev.cairn.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher {@code ./cairn} as a user runs it, on the jar this build packaged: its class-data archive (made once
 * per jar, atomically, by one of two commands started together, harmlessly absent when it cannot be made) and the
 * JVM flags it picks by the command. Runs in the integration-test phase, after {@code package}.
 *
 * <p>Each test works on a copy of the launcher in a scratch "checkout" whose {@code cli/target} links to the built
 * jar, its libraries and its JVM arguments, with a build stamp newer than every source, so no build is started.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LauncherIT {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path BUILT = MODULE.resolve("target");

    @TempDir
    Path dir;

    private Path checkout;
    private Path target;

    record Run(int status, String out, String err) { }

    @BeforeEach
    void layOutACheckout() throws IOException {
        checkout = dir.resolve("checkout");
        target = checkout.resolve("cli/target");
        Files.createDirectories(target);
        Files.copy(MODULE.resolveSibling("cairn"), checkout.resolve("cairn"));
        Files.writeString(checkout.resolve("pom.xml"), "");
        Files.setLastModifiedTime(checkout.resolve("pom.xml"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Files.createSymbolicLink(target.resolve("cairn-cli.jar"), BUILT.resolve("cairn-cli.jar"));
        Files.createSymbolicLink(target.resolve("lib"), BUILT.resolve("lib"));
        Files.copy(BUILT.resolve("jvm.args"), target.resolve("jvm.args"));
        Files.copy(BUILT.resolve("jar.args"), target.resolve("jar.args"));
        Files.writeString(target.resolve(".cairn-built"), "");
    }

    @Test
    void theFirstCommandMakesTheArchiveAndLaterOnesStartWithIt() throws Exception {
        Run first = cairn(Map.of(), "--version");

        assertThat(first.status()).isZero();
        assertThat(first.err()).isEmpty();
        assertThat(archives()).hasSize(1);
        assertThat(leftovers()).isEmpty();

        Path log = dir.resolve("classes.log");
        Run second = cairn(Map.of("JAVA_OPTS", "-Xlog:class+load:file=" + log), "--version");

        assertThat(second.status()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(Files.readString(log)).contains("dev.cairn.cli.Main source: shared objects file",
                // Java 5 class files, which only a static archive holds
                "picocli.CommandLine source: shared objects file",
                "picocli.CommandLine$Model$CommandSpec source: shared objects file");
    }

    @Test
    void theCommandLineOpensNoModuleSoTheModuleSystemStartsFromTheArchiveAndChronicleGetsItsOpensFromTheJar()
            throws Exception {
        cairn(Map.of(), "--version");
        Path log = dir.resolve("cds.log");

        Run create = cairn(Map.of("JAVA_OPTS", "-Xlog:cds=info:file=" + log), "create", "--name", "a");

        assertThat(create.err()).isEmpty();
        assertThat(create.status()).isZero();
        assertThat(Files.readString(log)).contains("optimized module handling: enabled");
        Run layers = cairn(Map.of(), "layers");
        assertThat(layers.out()).contains(create.out().strip().substring(0, 12));
        // what the jar's manifest says: every module package that chronicle.jvm.args exports or opens
        String args = Files.readString(BUILT.resolve("jvm.args"));
        java.util.jar.Attributes manifest;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(BUILT.resolve("cairn-cli.jar").toFile())) {
            manifest = jar.getManifest().getMainAttributes();
        }
        for (String kind : new String[] {"exports", "opens"}) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("--add-" + kind + "=(\\S+)=ALL-UNNAMED")
                    .matcher(args);
            List<String> packages = new ArrayList<>();
            while (m.find()) {
                packages.add(m.group(1));
            }
            assertThat(packages).isNotEmpty();
            assertThat(manifest.getValue("Add-" + Character.toUpperCase(kind.charAt(0)) + kind.substring(1))
                    .split(" ")).containsExactlyElementsOf(packages);
        }
        String flags = Files.readAllLines(BUILT.resolve("jar.args")).stream().filter(l -> !l.startsWith("#"))
                .collect(java.util.stream.Collectors.joining(" "));
        assertThat(flags).doesNotContain("--add-").contains("-Dchronicle.analytics.disable=true");
    }

    @Test
    void aNewJarGetsANewArchive() throws Exception {
        cairn(Map.of(), "--version");
        Path archive = archives().get(0);
        FileTime made = Files.getLastModifiedTime(archive);
        // The jar is a link to the build's own; its target's time is what counts, so move the archive back instead.
        Files.setLastModifiedTime(archive, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

        cairn(Map.of(), "--version");

        assertThat(archives()).hasSize(1);
        assertThat(Files.getLastModifiedTime(archives().get(0))).isGreaterThanOrEqualTo(made);
    }

    @Test
    void twoCommandsStartedTogetherBothSucceedAndLeaveOneArchive() throws Exception {
        Process a = start(Map.of(), "--version");
        Process b = start(Map.of(), "--version");

        assertThat(finish(a).status()).isZero();
        assertThat(finish(b).status()).isZero();
        assertThat(archives()).hasSize(1);
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aCommandRunsWithoutTheArchiveWhenItCannotBeMade() throws Exception {
        Run r = cairn(Map.of("TMPDIR", dir.resolve("no-such-folder").toString()), "--version");

        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("cairn ");
        assertThat(r.err()).isEmpty();
        assertThat(archives()).isEmpty();
    }

    @Test
    void theArchiveCanBeTurnedOff() throws Exception {
        Run r = cairn(Map.of("CAIRN_CLASS_DATA", "off"), "--version");

        assertThat(r.status()).isZero();
        assertThat(archives()).isEmpty();
    }

    @Test
    void commandsThatTouchEveryByteKeepTheFullJitAndQueriesStartWithC1() throws Exception {
        assertThat(tieredStopAtLevel("layers")).isEqualTo("1");
        assertThat(tieredStopAtLevel("--root", "import", "layers")).isEqualTo("1");
        assertThat(tieredStopAtLevel("verify")).isEqualTo("1");
        assertThat(tieredStopAtLevel("import", "x.tar")).isEqualTo("4");
        assertThat(tieredStopAtLevel("--root", "r", "diff", "x")).isEqualTo("4");
        assertThat(tieredStopAtLevel("checkout", "x", "d")).isEqualTo("4");
        assertThat(tieredStopAtLevel("stage", "-")).isEqualTo("4");
        assertThat(tieredStopAtLevel("verify", "--deep")).isEqualTo("4");
    }

    @Test
    void commandsThatWorkForSecondsCompileWithC2OnlyWhatStaysHot() throws Exception {
        assertThat(flag("Tier4InvocationThreshold", "import", "x.tar")).isEqualTo("20000");
        assertThat(flag("Tier4BackEdgeThreshold", "diff", "x")).isEqualTo("160000");
        assertThat(flag("Tier4InvocationThreshold", "verify", "--deep")).isEqualTo("20000");
    }

    @Test
    void queriesStartWithAHeapWhoseYoungGenerationHoldsABigListing() throws Exception {
        assertThat(flag("InitialRAMPercentage", "layers")).startsWith("6.25");
        assertThat(flag("InitialRAMPercentage", "import", "x.tar")).startsWith("1.56");
        assertThat(flag("InitialRAMPercentage", "--help")).as("no store opened").startsWith("1.56");
        assertThat(flag("InitialRAMPercentage", "help", "layers")).startsWith("1.56");
        assertThat(flag("TieredStopAtLevel", "--help")).isEqualTo("1");
    }

    @Test
    void cairnsHelpAtATerminalFitsItWithoutTheJvmStartingAProcessToMeasureIt() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1), to give the command a terminal");
        cairn(Map.of(), "--version");
        Path log = dir.resolve("classes.log");
        Path out = dir.resolve("terminal.out");
        String line = "stty cols 132; JAVA_OPTS=-Xlog:class+load:file=" + log + " " + checkout.resolve("cairn")
                + " --help";
        Process p = new ProcessBuilder("/usr/bin/script", "-qec", line, "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(100, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isZero();
        List<Integer> widths = Files.readAllLines(out).stream()
                .map(l -> l.replaceAll("\u001B\\[[0-9;]*m|\r", "").length()).toList();
        assertThat(widths).allMatch(w -> w <= 132).anyMatch(w -> w > 80);
        assertThat(Files.readString(log)).contains("picocli.CommandLine ").doesNotContain("java.lang.ProcessImpl ");
    }

    /** The TieredStopAtLevel the JVM ran a command line with (the command itself may fail; it does not matter). */
    private String tieredStopAtLevel(String... args) throws Exception {
        return flag("TieredStopAtLevel", args);
    }

    /** The value of a JVM flag a command line ran with. */
    private String flag(String name, String... args) throws Exception {
        Run r = cairn(Map.of("CAIRN_CLASS_DATA", "off", "JAVA_OPTS", "-XX:+PrintFlagsFinal"), args);
        for (String line : r.out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[1].equals(name)) {
                return f[3];
            }
        }
        throw new AssertionError("no " + name + " in the output: " + r);
    }

    private List<Path> archives() throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("cairn-.*\\.jsa")).toList();
        }
    }

    /** Temporary archives and failure notes. */
    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("cairn-.*\\.jsa\\..*")).toList();
        }
    }

    private Run cairn(Map<String, String> env, String... args) throws Exception {
        return finish(start(env, args));
    }

    private Process start(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(checkout.resolve("cairn").toString(), "--root",
                dir.resolve("store").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                "/dev/null")));
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("CAIRN_CLASS_DATA");
        pb.environment().putAll(env);
        pb.redirectOutput(dir.resolve("out-" + System.nanoTime()).toFile());
        Path err = dir.resolve("err-" + System.nanoTime());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        outputs.put(p, new Path[] {pb.redirectOutput().file().toPath(), err});
        return p;
    }

    private final Map<Process, Path[]> outputs = new java.util.concurrent.ConcurrentHashMap<>();

    private Run finish(Process p) throws Exception {
        if (!p.waitFor(100, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the launcher did not finish");
        }
        Path[] files = outputs.remove(p);
        return new Run(p.exitValue(), Files.readString(files[0], StandardCharsets.UTF_8),
                Files.readString(files[1], StandardCharsets.UTF_8));
    }
}
