package dev.cairn.store;

import dev.cairn.io.Posix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.model.Change;
import dev.cairn.model.CheckoutResult;
import dev.cairn.model.LayerNotFoundException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LayerStore#checkout} and {@link LayerStore#changes}: a chain of imported layers, merged. */
class LayerStoreCheckoutTest {

    private static final Instant T0 = Instant.parse("2021-06-01T00:00:00Z");

    @TempDir
    Path temp;
    private Path root;
    private LayerStore store;

    @BeforeEach
    void open() throws IOException {
        root = temp.resolve("store");
        store = LayerStore.open(root, StoreOptions.defaults().withUnsafeNoSync(true));
    }

    @AfterEach
    void close() throws IOException {
        store.close();
    }

    /**
     * Three layers that use what images use: modes with setuid/setgid/sticky, owners, symlinks, hardlinks, a fifo
     * and (as root) a device, whiteouts of a file and a directory, an opaque directory, a file that becomes a
     * directory and a directory that becomes a file, a hardlink broken by an upper layer, and random files.
     */
    static List<byte[]> image() {
        boolean root = Posix.isRoot();
        TestImage.Layer base = new TestImage.Layer(T0)
                .dir("bin", 0755).file("bin/busybox", 0755, "busybox").symlink("bin/sh", "busybox")
                .file("bin/su", 04755, "su".getBytes(StandardCharsets.UTF_8), 0, 0)
                .dir("etc", 0755).file("etc/passwd", 0644, "root:x:0:0").file("etc/hosts", 0644, "127.0.0.1")
                .file("etc/shadow", 0640, "root:*".getBytes(StandardCharsets.UTF_8), 0, 42)
                .dir("tmp", 01777)
                .dir("var", 0755).dir("var/lib", 0755).dir("var/lib/data", 02775, 1000, 1000)
                .file("var/lib/data/one", 0644, "1").file("var/lib/data/two", 0644, "2")
                .dir("opt", 0755).file("opt/p", 0644, "p was a file").dir("opt/q", 0755).file("opt/q/x", 0600, "x")
                .dir("usr", 0755).dir("usr/lib", 0755).file("usr/lib/libc.so", 0755, "libc v1")
                .hardlink("usr/lib/libc.so.6", "usr/lib/libc.so").hardlink("usr/lib/libc.alias", "usr/lib/libc.so")
                .dir("run", 0755).fifo("run/initctl", 0600)
                .dir("home", 0755).dir("home/user", 0700, 1000, 1000)
                .file("home/user/.profile", 0644, "PS1=$".getBytes(StandardCharsets.UTF_8), 1000, 1000)
                .randomFiles("srv", 7, 40);
        if (root) {
            base.dir("dev", 0755).charDevice("dev/null", 0666, 1, 3);
        }
        TestImage.Layer second = new TestImage.Layer(T0.plusSeconds(100_000))
                .dir("etc", 0755).whiteout("etc/.wh.hosts").file("etc/passwd", 0644, "root:x:0:0\nuser:x:1000:1000")
                .dir("var/lib/data", 0770, 1000, 1000).whiteout("var/lib/data/.wh..wh..opq")
                .file("var/lib/data/three", 0644, "3")
                .dir("opt", 0755).whiteout("opt/.wh.p").dir("opt/p", 0711).file("opt/p/inside", 0644, "in")
                .file("opt/q", 0644, "q was a directory")
                .dir("usr/lib", 0755).file("usr/lib/libc.so", 0755, "libc v2")
                .dir("bin", 0755).symlink("bin/sh", "/bin/busybox");
        TestImage.Layer third = new TestImage.Layer(T0.plusSeconds(200_000))
                .dir("home", 0755).whiteout("home/.wh.user")
                .dir("opt", 0755).file("opt/p", 0600, "p is a file again")
                .randomFiles("srv/more", 11, 30);
        return List.of(base.tar(), second.tar(), third.tar());
    }

    /** Imports the image's layers as a chain; returns their ids, bottom first. */
    private List<String> importImage(List<byte[]> tars) throws IOException {
        List<String> ids = new ArrayList<>();
        for (byte[] tar : tars) {
            LayerSpec spec = ids.isEmpty() ? LayerSpec.base() : LayerSpec.on(ids.get(ids.size() - 1));
            ids.add(store.put(new ByteArrayInputStream(TestImage.gzip(tar)), spec).layer().id().hex());
        }
        return ids;
    }

    @Test
    void aCheckoutIsTheChainMerged() throws IOException {
        List<String> ids = importImage(image());
        store.setNames(ids.get(2), List.of("app"));
        Path out = temp.resolve("rootfs");

        CheckoutResult r = store.checkout("app", out);

        assertThat(Files.readString(out.resolve("etc/passwd"))).contains("user:x:1000");
        assertThat(out.resolve("etc/hosts")).doesNotExist();
        assertThat(out.resolve("home/user")).doesNotExist();
        assertThat(out.resolve("home")).isDirectory();
        try (Stream<Path> data = Files.list(out.resolve("var/lib/data"))) {
            assertThat(data.map(p -> p.getFileName().toString())).containsExactly("three");
        }
        assertThat(Files.readString(out.resolve("opt/p"))).isEqualTo("p is a file again");
        assertThat(Files.readString(out.resolve("opt/q"))).isEqualTo("q was a directory");
        assertThat(Files.readString(out.resolve("usr/lib/libc.so"))).isEqualTo("libc v2");
        assertThat(Files.readString(out.resolve("usr/lib/libc.so.6"))).isEqualTo("libc v1");
        assertThat(Files.getAttribute(out.resolve("usr/lib/libc.so.6"), "unix:nlink")).isEqualTo(2);
        assertThat(Files.readSymbolicLink(out.resolve("bin/sh")).toString()).isEqualTo("/bin/busybox");
        try (Stream<Path> all = Files.walk(out)) {
            assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".wh."));
        }
        assertThat(r.reflinked() + r.copied()).isPositive();
        assertThat(r.storeLinked()).isZero();
    }

    @Test
    void changesOfEachLayerAreRelativeToItsParents() throws IOException {
        List<String> ids = importImage(image());

        List<String> second = store.changes(ids.get(1)).stream().map(Change::toString).toList();
        List<String> third = store.changes(ids.get(2)).stream().map(Change::toString).toList();

        assertThat(store.changes(ids.get(0))).allMatch(c -> c.kind() == Change.Kind.ADDED);
        assertThat(second).contains("C /etc", "D /etc/hosts", "C /etc/passwd", "C /var/lib/data",
                "D /var/lib/data/one", "D /var/lib/data/two", "A /var/lib/data/three", "C /opt/p",
                "A /opt/p/inside", "C /opt/q", "C /usr/lib/libc.so", "C /bin/sh");
        assertThat(second).noneMatch(s -> s.contains(".wh."));
        assertThat(third).contains("C /home", "D /home/user", "C /opt/p", "A /srv/more", "A /srv/more/f0");
    }

    @Test
    void anEmptyLayerOnAChainChecksOutAsItsParent() throws IOException {
        List<String> ids = importImage(image());
        String empty = store.create(LayerSpec.on(ids.get(2))).layer().id().hex();

        store.checkout(ids.get(2), temp.resolve("a"));
        store.checkout(empty, temp.resolve("b"));

        assertThat(describe(temp.resolve("b"), true)).isEqualTo(describe(temp.resolve("a"), true));
        assertThat(store.changes(empty)).isEmpty();
    }

    @Test
    void anUnknownLayerIsRefusedAndNothingIsCreated() {
        Path out = temp.resolve("out");

        assertThatThrownBy(() -> store.checkout("no-such-layer", out)).isInstanceOf(LayerNotFoundException.class)
                .hasMessageContaining("no-such-layer");
        assertThatThrownBy(() -> store.changes("no-such-layer")).isInstanceOf(LayerNotFoundException.class);
        assertThat(out).doesNotExist();
    }

    @Test
    void aReadOnlyStoreChecksOut() throws IOException {
        List<String> ids = importImage(List.of(new TestImage.Layer(T0).file("f", 0644, "x").tar()));
        long seq = store.lastSeq();

        try (LayerStore reader = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
            reader.checkout(ids.get(0), temp.resolve("out"));
            assertThat(reader.changes(ids.get(0))).extracting(Change::toString).containsExactly("A /f");
        }

        assertThat(Files.readString(temp.resolve("out/f"))).isEqualTo("x");
        assertThat(store.lastSeq()).as("a checkout journals nothing").isEqualTo(seq);
    }

    /**
     * The reference: {@code umoci raw unpack} of the same image, written as an OCI layout by this test, must give
     * the same tree — types, modes, owners (as root), link targets, hardlinks, contents, modification times.
     */
    @Test
    void theCheckoutEqualsUmociUnpackOfTheSameImage() throws Exception {
        assumeTrue(onPath("umoci"), "umoci is not installed (apt-get install umoci); the comparison is skipped");
        boolean root = Posix.isRoot();
        List<byte[]> tars = image();
        Path layout = temp.resolve("oci");
        TestImage.writeOciLayout(layout, "test", tars);
        Path umociOut = temp.resolve("umoci-rootfs");
        List<String> cmd = new ArrayList<>(List.of("umoci", "raw", "unpack"));
        if (!root) {
            cmd.add("--rootless");
        }
        cmd.addAll(List.of("--image", layout + ":test", umociOut.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("umoci: %s", log).isZero();

        List<String> ids = importImage(tars);
        Path cairnOut = temp.resolve("cairn-rootfs");
        store.checkout(ids.get(2), cairnOut);

        Map<String, String> expected = describe(umociOut, root);
        Map<String, String> actual = describe(cairnOut, root);
        List<String> differences = new ArrayList<>();
        for (String path : new java.util.TreeSet<>(union(expected.keySet(), actual.keySet()))) {
            if (!java.util.Objects.equals(expected.get(path), actual.get(path))) {
                differences.add(path + ": umoci " + expected.get(path) + ", cairn " + actual.get(path));
            }
        }
        assertThat(differences).as("paths where the checkout differs from umoci").isEmpty();
        assertThat(expected).hasSizeGreaterThan(90);
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Every path under {@code top} (not {@code top} itself) with what a checkout must reproduce. */
    static Map<String, String> describe(Path top, boolean owners) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> paths;
        try (Stream<Path> s = Files.walk(top)) {
            paths = s.filter(p -> !p.equals(top)).toList();
        }
        for (Path p : paths) {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,nlink,rdev,size,lastModifiedTime",
                    LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            StringBuilder d = new StringBuilder(String.format("mode=%o", mode));
            if (owners) {
                d.append(" owner=").append(a.get("uid")).append(':').append(a.get("gid"));
            }
            d.append(" mtime=").append(a.get("lastModifiedTime"));
            switch (mode & 0170000) {
                case 0100000 -> d.append(" nlink=").append(a.get("nlink")).append(" sha256=")
                        .append(sha256(Files.readAllBytes(p)));
                case 0120000 -> d.append(" target=").append(Files.readSymbolicLink(p));
                case 0020000, 0060000 -> d.append(" rdev=").append(a.get("rdev"));
                default -> { }
            }
            out.put(top.relativize(p).toString(), d.toString());
        }
        return out;
    }

    private static String sha256(byte[] bytes) {
        return TestImage.sha256(bytes).hex();
    }
}
