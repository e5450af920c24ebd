package dev.cairn.registry;

import dev.cairn.model.Digest;
import dev.cairn.model.RepositoryBlob;
import dev.cairn.oci.Descriptor;
import dev.cairn.oci.Image;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.ImageSource;
import dev.cairn.oci.VerifiedBlobStream;
import dev.cairn.store.LayerStore;

import java.io.IOException;
import java.nio.channels.Channels;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An image pushed to a repository, as the store's image import reads it: the manifest and config as pushed, and each
 * layer's blob from the content area, verified while it is read. {@code contents} maps each layer's digest as the
 * manifest names it to the sha256 under which the store keeps it (they differ for a sha512 push). Thread-safe: each
 * layer stream is its own channel.
 */
final class PushedImage implements ImageSource {

    private final LayerStore store;
    private final Image image;
    private final Map<String, RepositoryBlob> contents;
    private final ImageReference reference;

    PushedImage(LayerStore store, Image image, Map<String, RepositoryBlob> contents, RepositoryName repository) {
        this.store = store;
        this.image = image;
        this.contents = Map.copyOf(contents);
        this.reference = new ImageReference.Oci(store.root().resolve("blobs"), Optional.of(repository.value()),
                OptionalInt.empty());
    }

    @Override
    public ImageReference reference() {
        return reference;
    }

    @Override
    public Image image() {
        return image;
    }

    @Override
    public VerifiedBlobStream openLayer(int index) throws IOException {
        Descriptor d = image.layers().get(index).blob();
        RepositoryBlob link = contents.get(d.digest().toString());
        if (link == null) {
            throw new dev.cairn.model.BlobNotFoundException(d.digest().toString(), "not in the repository");
        }
        Digest content = link.content();
        return new VerifiedBlobStream(Channels.newInputStream(store.openBlob(content)), d,
                "layer " + index + " (" + d.digest() + ")");
    }

    @Override
    public void close() {
        // nothing held: every layer stream is closed by its reader
    }
}
