package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.model.Change;
import dev.cairn.model.CheckoutOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerChangesTest {

    @TempDir
    Path temp;
    private final List<ChainLayer> chain = new ArrayList<>();

    private void layer(TestTars t) throws IOException {
        Path folder = Files.createDirectories(temp.resolve("layers/" + chain.size()));
        Path diff = Files.createDirectory(folder.resolve("diff"));
        LayerExtractor.extract(new ByteArrayInputStream(t.bytes()), diff, folder.resolve("manifest"),
                ExtractOptions.DEFAULTS.toBuilder().unsafeNoSync(true).build());
        chain.add(new ChainLayer(diff, folder.resolve("manifest")));
    }

    private List<String> changesOfTop() throws IOException {
        return LayerChanges.of(chain.subList(0, chain.size() - 1), chain.get(chain.size() - 1)).stream()
                .map(Change::toString).toList();
    }

    @Test
    void aBaseLayerOnlyAdds() throws IOException {
        layer(TestTars.tar().dir("etc", 0755).file("etc/a", "a").symlink("link", "etc/a"));

        assertThat(changesOfTop()).containsExactly("A /etc", "A /etc/a", "A /link");
    }

    @Test
    void pathsPresentBelowAreModifiedOthersAddedWhiteoutsDeleted() throws IOException {
        layer(TestTars.tar().dir("etc", 0755).file("etc/a", "a").file("etc/b", "b").dir("var", 0755)
                .file("var/log", "l"));
        layer(TestTars.tar().dir("etc", 0755).file("etc/a", "a2").file("etc/c", "c").file("etc/.wh.b", "")
                .file(".wh.var", "").file(".wh.never-there", ""));

        assertThat(changesOfTop()).containsExactly("C /etc", "C /etc/a", "D /etc/b", "A /etc/c",
                "D /never-there", "D /var");
    }

    @Test
    void anOpaqueDirectoryDeletesWhatWasBelowExceptWhatItGivesAgain() throws IOException {
        layer(TestTars.tar().dir("d", 0755).file("d/x", "x").file("d/y", "y").dir("d/sub", 0755)
                .file("d/sub/z", "z"));
        layer(TestTars.tar().dir("d", 0755).file("d/.wh..wh..opq", "").file("d/y", "y2").file("d/new", "n"));

        assertThat(changesOfTop()).containsExactly("C /d", "A /d/new", "D /d/sub", "D /d/x", "C /d/y");
    }

    @Test
    void aWhiteoutOfAPathTheLayerGivesAgainIsOneModification() throws IOException {
        layer(TestTars.tar().file("p", "file"));
        layer(TestTars.tar().file(".wh.p", "").dir("p", 0755).file("p/child", "c"));

        assertThat(changesOfTop()).containsExactly("C /p", "A /p/child");
    }

    @Test
    void changesAreRelativeToTheWholeChainNotJustTheParent() throws IOException {
        layer(TestTars.tar().file("base", "1"));
        layer(TestTars.tar().file("middle", "2"));
        layer(TestTars.tar().file("base", "3").file(".wh.middle", ""));

        assertThat(changesOfTop()).containsExactly("C /base", "D /middle");
        // and agree with what a checkout of the chain shows
        Path out = temp.resolve("out");
        LayerCheckout.checkout(chain, out, CheckoutOptions.DEFAULTS);
        assertThat(Files.readString(out.resolve("base"))).isEqualTo("3");
        assertThat(out.resolve("middle")).doesNotExist();
    }
}
