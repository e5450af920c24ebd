package dev.cairn.oci;

import dev.cairn.model.AmbiguousImageException;
import dev.cairn.model.BlobNotFoundException;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.InvalidImageException;
import dev.cairn.model.PlatformNotFoundException;
import dev.cairn.model.UnsupportedImageException;
import java.io.Closeable;
import java.io.IOException;

/**
 * One image being read from an OCI image layout or a docker-archive: what it is ({@link #image()}, every document
 * already read and verified) and its layers' bytes ({@link #openLayer}), each verified against its descriptor while it
 * is read. Opening reads and checks everything but the layer blobs, whose presence and size it checks, so that a bad
 * image is refused before anything is staged from it.
 *
 * <p>Thread-safe: several layers may be read at once, each stream by one thread, which is how a store stages all of
 * an image's layers in parallel. Each stream is closed by its reader; one still being read when its source is
 * closed may fail.
 */
public interface ImageSource extends Closeable {

    /**
     * Opens the image a reference names. An index on the way (a layout's tag may name one, possibly nested) is resolved
     * to the manifest for {@code platform}, as containers/image resolves it; a docker-archive holds one platform and
     * ignores it.
     *
     * @param platform the platform wanted from an index, usually {@link Platform#host()}
     * @throws ImageNotFoundException     if the layout or archive, or the tag, reference or position, is not there
     * @throws AmbiguousImageException    if no tag was given and the source holds more than one image
     * @throws PlatformNotFoundException  if an index has no image for the platform
     * @throws InvalidImageException      if a document is not what its media type says (naming it and the field)
     * @throws UnsupportedImageException  for what Cairn does not read (schema 1, artifacts, unknown layer types, ...)
     * @throws BlobNotFoundException      if a blob the image needs is missing
     * @throws dev.cairn.model.DigestMismatchException a manifest, index or config that does not hash to its digest
     * @throws dev.cairn.model.SizeMismatchException   a blob of another size than its descriptor's
     */
    static ImageSource open(ImageReference reference, Platform platform) throws IOException {
        if (reference instanceof ImageReference.Oci oci) {
            return OciLayoutSource.open(oci, platform);
        }
        return DockerArchiveSource.open((ImageReference.DockerArchive) reference);
    }

    /** The reference it was opened from. */
    ImageReference reference();

    /** The image: manifest, config and layers, all checked. */
    Image image();

    /**
     * The bytes of layer {@code index} ({@code image().layers().get(index)}) as its descriptor describes them —
     * compressed as received for an OCI layout, the uncompressed tar for a docker-archive — verified while they are
     * read (see {@link VerifiedBlobStream}). A decompressor or tar reader on top may stop before the blob's end
     * (GZIPInputStream does), so a caller calls {@link VerifiedBlobStream#verifyToEnd()} before it trusts what it
     * read. The caller closes it.
     *
     * @throws IndexOutOfBoundsException if there is no such layer
     */
    VerifiedBlobStream openLayer(int index) throws IOException;
}
