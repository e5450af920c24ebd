package dev.cairn.oci;

import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.AmbiguousImageException;
import dev.cairn.model.InvalidImageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {

    @TempDir
    Path temp;

    private static ImageReference.Oci ref(Path dir, String tag) {
        return new ImageReference.Oci(dir, Optional.ofNullable(tag), OptionalInt.empty());
    }

    @Test
    void findsEntriesByTagAndRefusesATagTwice() throws Exception {
        TestImages.Layout l = new TestImages.Layout(temp.resolve("l"));
        byte[] a = utf8("a");
        byte[] b = utf8("b");
        l.blob(a);
        l.tagged(a, "one").tagged(b, "two").tagged(a, "two");
        OciLayout layout = OciLayout.open(l.dir);
        assertThat(layout.tags()).containsExactly("one", "two", "two");
        assertThat(layout.find(ref(l.dir, "one")).digest()).isEqualTo(OciDigest.sha256(a));
        assertThatThrownBy(() -> layout.find(ref(l.dir, "two"))).isInstanceOf(AmbiguousImageException.class);
        assertThat(layout.hasBlob(OciDigest.sha256(a))).isTrue();
        assertThat(layout.hasBlob(OciDigest.sha256(b))).isFalse();
    }

    @Test
    void readsSmallBlobsWholeAndVerified() throws Exception {
        TestImages.Layout l = new TestImages.Layout(temp.resolve("l"));
        byte[] a = utf8("{\"a\":1}");
        l.blob(a);
        OciLayout layout = OciLayout.open(l.dir);
        Descriptor d = Descriptor.of("application/json", a);
        assertThat(layout.readBlob(d, 100, "test blob")).isEqualTo(a);
        assertThatThrownBy(() -> layout.readBlob(d, 3, "test blob")).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("more than the 3");
    }

    @Test
    void filesTheSpecDoesNotNameAreIgnored() throws Exception {
        TestImages.Layout l = new TestImages.Layout(temp.resolve("l"));
        Files.writeString(l.dir.resolve("manifest.json"), "[]");
        assertThat(OciLayout.open(l.dir).index().manifests()).isEmpty();
    }
}
