package dev.cairn.projection;

import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.SagaOwner;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageTableTest {

    private final History history = new History();
    private static final SagaOwner OWNER = new SagaOwner("a".repeat(32), 1, "h");
    private final LayerId base = LayerId.of(digest("base").hex());

    private LayerIndex fold(Event... events) {
        return history.fold(events);
    }

    private static Digest digest(String s) {
        return History.digest(s);
    }

    private static BlobRef blob(String s) {
        return new BlobRef(digest(s), s.length());
    }

    private LayerIndex withBase() {
        return fold(new Event.LayerCreated(base, null, List.of(), null, ""),
                new Event.LayerCommitted(base, digest("diff"), 1000, null, null, null));
    }

    private Event.ImageCreated created(String config, BlobRef... layerBlobs) {
        List<BlobRef> blobs = new ArrayList<>(List.of(blob("m-" + config), blob(config)));
        blobs.addAll(List.of(layerBlobs));
        return new Event.ImageCreated(ImageId.ofConfig(digest(config)), digest("m-" + config),
                "application/vnd.oci.image.manifest.v1+json", 3 + config.length(), digest(config), config.length(),
                List.of(base), blobs, Instant.parse("2026-01-01T00:00:00Z"), OWNER);
    }

    @Test
    void anImageIsInvisibleUntilCommittedButHoldsItsLayersAndBlobsFromItsCreation() throws Exception {
        withBase();
        Event.ImageCreated c = created("c1", blob("layer"));
        LayerIndex index = fold(c);

        ImageTable images = index.images();
        assertThat(images.image(c.image())).isEmpty();
        assertThat(images.images()).isEmpty();
        assertThat(images.entry(c.image()).orElseThrow().state()).isEqualTo(ImageState.INCOMPLETE);
        assertThat(images.imagesUsing(base)).containsExactly(c.image());
        assertThat(images.holds(blob("layer").digest())).isTrue();
        assertThat(index.openSagas()).extracting(s -> s.kind()).containsExactly(dev.cairn.model.OpenSaga.Kind.MAKE_IMAGE);

        index = fold(new Event.ImageCommitted(c.image(), List.of("app:1")));

        ImageRecord r = index.images().image(c.image()).orElseThrow();
        assertThat(r.names()).containsExactly("app:1");
        assertThat(r.size()).as("layers' diff sizes + manifest + config").isEqualTo(1000 + 5 + 2);
        assertThat(r.created()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(index.openSagas()).isEmpty();
        assertThat(index.images().resolve("app:1")).isEqualTo(r);
    }

    @Test
    void aRollBackOrADeleteFreesItsLayersBlobsAndNames() {
        withBase();
        Event.ImageCreated one = created("c1", blob("shared"));
        Event.ImageCreated two = created("c2", blob("shared"));
        fold(one, new Event.ImageCommitted(one.image(), List.of("one")), two);

        LayerIndex index = fold(new Event.ImageRolledBack(two.image(), "owner died"));
        assertThat(index.images().entry(two.image())).isEmpty();
        assertThat(index.images().blobHolders(blob("shared").digest())).containsExactly(one.image());

        index = fold(new Event.ImageDeleteStarted(one.image(), OWNER));
        assertThat(index.images().image(one.image())).as("gone for readers").isEmpty();
        assertThat(index.images().nameHolder("one")).as("its names free").isEmpty();
        assertThat(index.images().imagesUsing(base)).as("still held while it is removed").containsExactly(one.image());

        index = fold(new Event.ImageDeleted(one.image()));
        assertThat(index.images().entries()).isEmpty();
        assertThat(index.images().holds(blob("shared").digest())).isFalse();
        assertThat(index.images().imagesUsing(base)).isEmpty();
        assertThat(index.images()).isEqualTo(LayerIndex.empty().images());
    }

    @Test
    void aNameSetOnOneImageIsTakenFromAnyOtherThatHadIt() throws Exception {
        withBase();
        Event.ImageCreated one = created("c1");
        Event.ImageCreated two = created("c2");
        fold(one, new Event.ImageCommitted(one.image(), List.of("app:latest", "app:1")), two,
                new Event.ImageCommitted(two.image(), List.of()));

        LayerIndex index = fold(new Event.ImageNamesSet(two.image(), List.of("app:latest")));

        assertThat(index.images().resolve("app:latest").id()).isEqualTo(two.image());
        assertThat(index.images().image(one.image()).orElseThrow().names()).containsExactly("app:1");
    }

    @Test
    void resolveTakesAFullIdANameOrAUniquePrefixOfFourOrMore() throws Exception {
        withBase();
        Event.ImageCreated one = created("c1");
        LayerIndex index = fold(one, new Event.ImageCommitted(one.image(), List.of("n")));
        ImageTable images = index.images();
        String hex = one.image().hex();

        assertThat(images.resolve(hex).id()).isEqualTo(one.image());
        assertThat(images.resolve("sha256:" + hex.substring(0, 5)).id()).isEqualTo(one.image());
        assertThatThrownBy(() -> images.resolve(hex.substring(0, 3))).isInstanceOf(ImageNotFoundException.class);
        assertThatThrownBy(() -> images.resolve("sha256:n")).isInstanceOf(ImageNotFoundException.class);
    }

    @Test
    void eventsThatDoNotFitAreIgnored() {
        withBase();
        ImageId unknown = ImageId.ofConfig(digest("nope"));
        LayerIndex before = fold();

        LayerIndex after = fold(new Event.ImageCommitted(unknown, List.of("x")), new Event.ImageNamesSet(unknown,
                List.of("y")), new Event.ImageDeleteStarted(unknown, OWNER), new Event.ImageDeleted(unknown),
                new Event.ImageRolledBack(unknown, "r"));

        assertThat(after.images()).isEqualTo(before.images());
    }
}
