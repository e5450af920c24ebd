package dev.cairn.archive;

import dev.cairn.io.Posix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.model.CheckoutOptions;
import dev.cairn.model.CheckoutResult;
import dev.cairn.model.UnsafeArchiveException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerCheckoutTest {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @TempDir
    Path temp;
    private final List<ChainLayer> chain = new ArrayList<>();

    /** Extracts {@code t} as the next layer of {@link #chain}, as a store would. */
    private ChainLayer layer(TestTars t) throws IOException {
        Path folder = Files.createDirectories(temp.resolve("layers/" + chain.size()));
        Path diff = Files.createDirectory(folder.resolve("diff"));
        LayerExtractor.extract(new ByteArrayInputStream(t.bytes()), diff, folder.resolve("manifest"),
                ExtractOptions.DEFAULTS.toBuilder().unsafeNoSync(true).build());
        ChainLayer l = new ChainLayer(diff, folder.resolve("manifest"));
        chain.add(l);
        return l;
    }

    private CheckoutResult checkout(Path target) throws IOException {
        return LayerCheckout.checkout(chain, target, CheckoutOptions.DEFAULTS);
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777;
    }

    private static Instant mtime(Path p) throws IOException {
        return Files.getLastModifiedTime(p, NOFOLLOW).toInstant();
    }

    private static TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setModTime(TestTars.MTIME.toEpochMilli());
        return e;
    }

    @Test
    void whiteoutsRemoveLowerPathsAndAreNotMaterialized() throws IOException {
        layer(TestTars.tar().dir("etc", 0755).file("etc/a", "a1").file("etc/b", "b1").dir("etc/d", 0755)
                .file("etc/d/x", "x1").file("keep", "k"));
        layer(TestTars.tar().dir("etc", 0755).file("etc/.wh.a", "").file("etc/.wh.d", "").file("etc/b", "b2")
                .file("etc/c", "c2"));
        Path out = temp.resolve("out");

        CheckoutResult r = checkout(out);

        assertThat(tree(out)).containsExactly("etc", "etc/b", "etc/c", "keep");
        assertThat(read(out.resolve("etc/b"))).isEqualTo("b2");
        assertThat(read(out.resolve("keep"))).isEqualTo("k");
        assertThat(r.entries()).isEqualTo(4);
        assertThat(r.copied() + r.reflinked()).isEqualTo(3);
        assertThat(r.fileBytes()).isEqualTo(5);
    }

    @Test
    void anOpaqueDirectoryHidesWhatLowerLayersHadInIt() throws IOException {
        layer(TestTars.tar().dir("d", 0755).file("d/x", "x").dir("d/sub", 0755).file("d/sub/y", "y")
                .dir("e", 0755).file("e/z", "z"));
        layer(TestTars.tar().dir("d", 0750).file("d/.wh..wh..opq", "").file("d/new", "n"));
        Path out = temp.resolve("out");

        checkout(out);

        assertThat(tree(out)).containsExactly("d", "d/new", "e", "e/z");
        assertThat(mode(out.resolve("d"))).isEqualTo(0750);
    }

    @Test
    void aWhiteoutActsOnLowerLayersOnlyNotOnItsOwnLayer() throws IOException {
        layer(TestTars.tar().file("f", "old"));
        layer(TestTars.tar().file("f", "new").file(".wh.f", ""));
        Path out = temp.resolve("out");

        checkout(out);

        assertThat(read(out.resolve("f"))).isEqualTo("new");
    }

    @Test
    void filesBecomeDirectoriesAndDirectoriesFilesAcrossLayers() throws IOException {
        layer(TestTars.tar().file("p", "file").dir("q", 0755).file("q/inner", "i").dir("q/deep", 0755)
                .file("q/deep/x", "x"));
        layer(TestTars.tar().dir("p", 0755).file("p/child", "c").file("q", "now a file"));
        Path two = temp.resolve("two");
        checkout(two);
        assertThat(tree(two)).containsExactly("p", "p/child", "q");
        assertThat(Files.isDirectory(two.resolve("p"), NOFOLLOW)).isTrue();
        assertThat(read(two.resolve("q"))).isEqualTo("now a file");

        layer(TestTars.tar().file("p", "file again").dir("q", 0700).file("q/back", "b"));
        Path three = temp.resolve("three");
        checkout(three);
        assertThat(tree(three)).containsExactly("p", "q", "q/back");
        assertThat(read(three.resolve("p"))).isEqualTo("file again");
    }

    @Test
    void hardlinksAreKeptWithinTheCheckoutAndBrokenWhenAnUpperLayerReplacesOneName() throws IOException {
        layer(TestTars.tar().file("f", "shared").hardlink("g", "f").hardlink("h", "f"));
        Path one = temp.resolve("one");
        checkout(one);
        Object ino = Files.getAttribute(one.resolve("f"), "unix:ino");
        assertThat(Files.getAttribute(one.resolve("g"), "unix:ino")).isEqualTo(ino);
        assertThat(Files.getAttribute(one.resolve("h"), "unix:ino")).isEqualTo(ino);
        assertThat(Files.getAttribute(one.resolve("f"), "unix:nlink")).isEqualTo(3);
        assertThat(Files.getAttribute(one.resolve("f"), "unix:ino"))
                .isNotEqualTo(Files.getAttribute(chain.get(0).diff().resolve("f"), "unix:ino"));

        layer(TestTars.tar().file("f", "replaced"));
        Path two = temp.resolve("two");
        checkout(two);
        assertThat(read(two.resolve("f"))).isEqualTo("replaced");
        assertThat(read(two.resolve("g"))).isEqualTo("shared");
        assertThat(Files.getAttribute(two.resolve("g"), "unix:ino"))
                .isEqualTo(Files.getAttribute(two.resolve("h"), "unix:ino"))
                .isNotEqualTo(Files.getAttribute(two.resolve("f"), "unix:ino"));
    }

    @Test
    void symlinksModesAndTimesAreThoseOfTheManifest() throws IOException {
        Instant dirTime = Instant.parse("2001-02-03T04:05:06Z");
        Instant linkTime = Instant.parse("2011-12-13T14:15:16Z");
        TarArchiveEntry dir = entry("bin/", TarConstants.LF_DIR);
        dir.setMode(0755);
        dir.setModTime(dirTime.toEpochMilli());
        TarArchiveEntry link = entry("bin/sh", TarConstants.LF_SYMLINK);
        link.setLinkName("/bin/busybox");
        link.setModTime(linkTime.toEpochMilli());
        layer(TestTars.tar().entry(dir, null).entry(link, null)
                .file("bin/su", "su".getBytes(StandardCharsets.UTF_8), 04755)
                .file("bin/wall", "w".getBytes(StandardCharsets.UTF_8), 02711)
                .dir("tmp", 01777).dir("shared", 02775).file("ro", "r".getBytes(StandardCharsets.UTF_8), 0400));
        Path out = temp.resolve("out");

        checkout(out);

        assertThat(Files.readSymbolicLink(out.resolve("bin/sh")).toString()).isEqualTo("/bin/busybox");
        assertThat(mtime(out.resolve("bin/sh"))).isEqualTo(linkTime);
        assertThat(mtime(out.resolve("bin"))).as("a directory's time is set after its contents").isEqualTo(dirTime);
        assertThat(mtime(out.resolve("bin/su"))).isEqualTo(TestTars.MTIME);
        assertThat(mode(out.resolve("bin/su"))).isEqualTo(04755);
        assertThat(mode(out.resolve("bin/wall"))).isEqualTo(02711);
        assertThat(mode(out.resolve("tmp"))).isEqualTo(01777);
        assertThat(mode(out.resolve("shared"))).isEqualTo(02775);
        assertThat(mode(out.resolve("ro"))).isEqualTo(0400);
    }

    @Test
    void theLayerRootEntryGivesTheTargetItsModeAndTime() throws IOException {
        TarArchiveEntry root = entry("./", TarConstants.LF_DIR);
        root.setMode(0751);
        layer(TestTars.tar().entry(root, null).file("a", "a"));
        Path out = temp.resolve("out");

        checkout(out);

        assertThat(mode(out)).isEqualTo(0751);
        assertThat(mtime(out)).isEqualTo(TestTars.MTIME);
    }

    @Test
    void fifosAreMadeAndAsRootOwnersAndDevicesToo() throws IOException {
        TarArchiveEntry fifo = entry("run/pipe", TarConstants.LF_FIFO);
        fifo.setMode(0620);
        TarArchiveEntry dev = entry("dev/null", TarConstants.LF_CHR);
        dev.setMode(0666);
        dev.setDevMajor(1);
        dev.setDevMinor(3);
        TarArchiveEntry owned = entry("home/user/file", TarConstants.LF_NORMAL);
        owned.setIds(1234, 5678);
        owned.setMode(04750);
        owned.setSize(2);
        layer(TestTars.tar().dir("run", 0755).entry(fifo, null).dir("dev", 0755).entry(dev, null)
                .dir("home", 0755).dir("home/user", 0700).entry(owned, "hi".getBytes(StandardCharsets.UTF_8)));
        Path out = temp.resolve("out");

        CheckoutResult r = checkout(out);

        assertThat(Files.getAttribute(out.resolve("run/pipe"), "unix:mode", NOFOLLOW)).isEqualTo(0010620);
        assertThat(mtime(out.resolve("run/pipe"))).isEqualTo(TestTars.MTIME);
        if (!Posix.isRoot()) {
            assertThat(r.ownersApplied()).isFalse();
            assertThat(r.notCreated()).containsExactly("/dev/null");
            assertThat(out.resolve("dev/null")).doesNotExist();
            return;
        }
        assertThat(r.ownersApplied()).isTrue();
        assertThat(r.notCreated()).isEmpty();
        assertThat(Files.getAttribute(out.resolve("dev/null"), "unix:mode", NOFOLLOW)).isEqualTo(0020666);
        assertThat(Files.getAttribute(out.resolve("dev/null"), "unix:rdev", NOFOLLOW)).isEqualTo(Posix.makedev(1, 3));
        assertThat(Files.getAttribute(out.resolve("home/user/file"), "unix:uid", NOFOLLOW)).isEqualTo(1234);
        assertThat(Files.getAttribute(out.resolve("home/user/file"), "unix:gid", NOFOLLOW)).isEqualTo(5678);
        assertThat(mode(out.resolve("home/user/file"))).as("setuid survives the chown").isEqualTo(04750);
    }

    @Test
    void xattrsOfTheManifestAreApplied() throws IOException {
        TarArchiveEntry e = entry("attr", TarConstants.LF_NORMAL);
        e.setMode(0644);
        e.setSize(1);
        e.addPaxHeader("SCHILY.xattr.user.cairn", "value");
        layer(TestTars.tar().entry(e, "x".getBytes(StandardCharsets.UTF_8)));
        Path probe = Files.writeString(temp.resolve("probe"), "p");
        try {
            Posix.lsetxattr(probe, "user.probe", new byte[] {1});
        } catch (IOException notSupported) {
            assumeTrue(false, "user xattrs are not supported on " + temp + ": " + notSupported.getMessage());
        }
        Path out = temp.resolve("out");

        checkout(out);

        assertThat(Posix.lgetxattr(out.resolve("attr"), "user.cairn")).isEqualTo("value".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void copiesAreIndependentOfTheStoreAndHardlinksShareItsInodes() throws IOException {
        layer(TestTars.tar().file("f", "store"));
        Path copy = temp.resolve("copy");
        CheckoutResult c = LayerCheckout.checkout(chain, copy, new CheckoutOptions(CheckoutOptions.FileSource.COPY));
        assertThat(c.copied()).isEqualTo(1);
        Files.writeString(copy.resolve("f"), "edited");
        assertThat(read(chain.get(0).diff().resolve("f"))).isEqualTo("store");

        Path linked = temp.resolve("linked");
        CheckoutResult l = LayerCheckout.checkout(chain, linked,
                new CheckoutOptions(CheckoutOptions.FileSource.HARDLINK_UNSAFE));
        assertThat(l.storeLinked()).isEqualTo(1);
        assertThat(Files.getAttribute(linked.resolve("f"), "unix:ino"))
                .isEqualTo(Files.getAttribute(chain.get(0).diff().resolve("f"), "unix:ino"));
    }

    @Test
    void cloningFallsBackToCopyingWhereTheFileSystemHasNoReflinks() throws IOException {
        layer(TestTars.tar().file("a", "1").file("b", "2"));
        Path out = temp.resolve("out");

        CheckoutResult r = checkout(out);

        // Whichever the file system does, every file is made exactly once and is independent of the store.
        assertThat(r.reflinked() + r.copied()).isEqualTo(2);
        Files.writeString(out.resolve("a"), "changed");
        assertThat(read(chain.get(0).diff().resolve("a"))).isEqualTo("1");
    }

    @Test
    void aTargetThatIsAFileOrNotEmptyIsRefusedAndLeftAsItWas() throws IOException {
        layer(TestTars.tar().file("a", "1"));
        Path file = Files.writeString(temp.resolve("file"), "mine");
        Path full = Files.createDirectory(temp.resolve("full"));
        Files.writeString(full.resolve("x"), "mine");
        Path link = Files.createSymbolicLink(temp.resolve("link"), Files.createDirectory(temp.resolve("empty")));

        assertThatThrownBy(() -> checkout(file)).isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("is a file");
        assertThatThrownBy(() -> checkout(full)).isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("not empty");
        assertThatThrownBy(() -> checkout(link)).isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("symlink");
        assertThat(read(file)).isEqualTo("mine");
        assertThat(tree(full)).containsExactly("x");
        assertThat(tree(temp.resolve("empty"))).isEmpty();
    }

    @Test
    void anExistingEmptyDirectoryIsFilled() throws IOException {
        layer(TestTars.tar().file("a", "1"));
        Path out = Files.createDirectory(temp.resolve("out"));

        checkout(out);

        assertThat(tree(out)).containsExactly("a");
    }

    @Test
    void aFailureLeavesNothingBehind() throws IOException {
        layer(TestTars.tar().dir("d", 0555).file("d/a", "1").file("z", "gone"));
        Files.delete(chain.get(0).diff().resolve("z"));
        Path created = temp.resolve("created");
        Path existing = Files.createDirectory(temp.resolve("existing"));

        assertThatThrownBy(() -> checkout(created)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("diff/z").hasMessageContaining("missing");
        Files.writeString(chain.get(0).diff().resolve("z"), "longer than it was");
        assertThatThrownBy(() -> checkout(existing)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("does not match its manifest");

        assertThat(created).doesNotExist();
        assertThat(tree(existing)).isEmpty();
    }

    @Test
    void neverWritesThroughASymlinkOfALowerLayer() throws IOException {
        Path outside = Files.createDirectory(temp.resolve("outside"));
        layer(TestTars.tar().symlink("escape", outside.toString()));
        layer(TestTars.tar().file("escape/planted", "evil"));
        Path out = temp.resolve("out");

        assertThatThrownBy(() -> checkout(out)).isInstanceOf(UnsafeArchiveException.class)
                .hasMessageContaining("'escape'").hasMessageContaining("symlink");

        assertThat(tree(outside)).isEmpty();
        assertThat(out).doesNotExist();
    }

    @Test
    void aManifestPathThatLeavesTheRootIsRefused() throws Exception {
        Path folder = Files.createDirectories(temp.resolve("forged"));
        Path diff = Files.createDirectory(folder.resolve("diff"));
        Path manifest = folder.resolve("manifest");
        // Format version 1 of Manifest, written by hand: a store's manifest that was tampered with.
        String body = "cairn-layer-manifest\t1\nd\t5\ta/../../up\t755\t0\t0\t\t\t0.000000000\t0\t\t0\t0\t\t\n";
        String sum = dev.cairn.model.Digest.ofBytes(java.security.MessageDigest.getInstance("SHA-256")
                .digest(body.getBytes(StandardCharsets.US_ASCII))).toString();
        Files.writeString(manifest, body + "end\t1\t" + sum + "\n", StandardCharsets.US_ASCII);
        chain.add(new ChainLayer(diff, manifest));
        Path out = temp.resolve("out");

        assertThatThrownBy(() -> checkout(out)).isInstanceOf(UnsafeArchiveException.class)
                .hasMessageContaining("'..'");
        assertThat(out).doesNotExist();
        assertThat(temp.resolve("up")).doesNotExist();
    }
}
