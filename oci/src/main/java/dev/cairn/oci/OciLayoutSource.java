package dev.cairn.oci;

import dev.cairn.model.PlatformNotFoundException;
import dev.cairn.model.UnsupportedImageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An image read from an OCI image layout: the entry the reference names, through any indexes (nested ones too, at
 * most {@link #MAX_DEPTH} deep) to the manifest for the platform, its config, and its layer blobs, present and of their
 * sizes. Thread-safe (see {@link ImageSource}).
 */
final class OciLayoutSource implements ImageSource {

    /** How many indexes deep a layout's entry may lead before it is refused as a loop or abuse. */
    static final int MAX_DEPTH = 8;

    private final ImageReference.Oci reference;
    private final OciLayout layout;
    private final Image image;

    private OciLayoutSource(ImageReference.Oci reference, OciLayout layout, Image image) {
        this.reference = reference;
        this.layout = layout;
        this.image = image;
    }

    static OciLayoutSource open(ImageReference.Oci ref, Platform platform) throws IOException {
        OciLayout layout = OciLayout.open(ref.path());
        Descriptor entry = layout.find(ref);
        List<String> names = entry.refName().map(List::of).orElse(List.of());
        List<ImageIndex> indexes = new ArrayList<>();
        Descriptor d = entry;
        ManifestDocument.checkReadable(d.mediaType(), ref + " entry " + d.digest());
        while (MediaTypes.isIndex(d.mediaType())) {
            if (indexes.size() == MAX_DEPTH) {
                throw new UnsupportedImageException(ref.toString(), "indexes nested more than " + MAX_DEPTH + " deep");
            }
            ImageIndex index = ImageIndex.parse(layout.readBlob(d, ManifestDocument.MAX_SIZE, "index"), d.mediaType());
            indexes.add(index);
            d = index.select(platform).orElseThrow(() -> new PlatformNotFoundException(index + " in " + ref,
                    platform.toString(), index.manifests().stream().filter(m -> m.platform().isPresent())
                    .map(m -> m.platform().get().toString()).toList()));
        }
        ImageManifest manifest = ImageManifest.parse(layout.readBlob(d, ManifestDocument.MAX_SIZE, "manifest"),
                d.mediaType());
        Image.checkConfigType(manifest);
        ImageConfig config = ImageConfig.parse(layout.readBlob(manifest.config(), ImageConfig.MAX_SIZE, "config"),
                manifest.config().mediaType());
        Image image = Image.of(indexes, manifest, config, names);
        for (ImageLayer layer : image.layers()) {
            layer.blob().digest().newHasher(ref + " " + layer);
            layout.checkBlob(layer.blob(), layer.toString());
        }
        return new OciLayoutSource(ref, layout, image);
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
        ImageLayer layer = image.layers().get(index);
        return layout.openBlob(layer.blob(), layer.toString());
    }

    /** Nothing to release: each layer stream holds its own file, closed by its reader. */
    @Override
    public void close() {
    }
}
