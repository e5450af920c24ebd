package dev.cairn.store;

import dev.cairn.archive.TarRecord;
import dev.cairn.model.Digest;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.oci.Descriptor;
import dev.cairn.oci.DockerArchiveWriter;
import dev.cairn.oci.Image;
import dev.cairn.oci.ImageConfig;
import dev.cairn.oci.ImageLayer;
import dev.cairn.oci.ImageManifest;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.OciDigest;
import dev.cairn.oci.OciLayoutWriter;
import dev.cairn.projection.LayerIndex;
import dev.cairn.store.internal.BlobStore;
import dev.cairn.store.internal.StoreLayout;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * {@code image export}: an image written as an OCI image layout or a docker-archive from what the store keeps — the
 * manifest and config exactly as received, each layer's blob as received, or, where the image holds none (its blob
 * was the uncompressed tar), the layer's tar rebuilt byte for byte from its files ({@link TarRecord}, checked against
 * its DiffID). So an OCI export has the manifest digest and blob digests of the import, and a docker-archive export
 * the config digest and DiffIDs (a docker-archive has no manifest; its derived one matches the import's when that was a
 * docker-archive too). Every byte written is verified against its digest on the way ({@link OciLayoutWriter},
 * {@link DockerArchiveWriter}); a layout gets the blobs first and its {@code index.json} entry last, a docker-archive
 * is written to a temporary file renamed into place, so a failure leaves no image half-written at the destination.
 * Reads the store only (it works on a read-only store). Stateless; thread-safe.
 */
final class ImageExporter {

    private ImageExporter() {
    }

    /**
     * @param index    the index to take the layers from
     * @param progress told the number of bytes written so far
     */
    static void export(ImageRecord image, ImageReference destination, LayerIndex index, StoreLayout layout,
                       LongConsumer progress) throws IOException {
        destination.checkDestination();
        BlobStore blobs = layout.blobs();
        byte[] manifestBytes = read(blobs, image.manifestDigest(), "the manifest of image " + image.id());
        ImageManifest manifest = ImageManifest.parse(manifestBytes, image.manifestMediaType());
        byte[] configBytes = read(blobs, image.configDigest(), "the config of image " + image.id());
        ImageConfig config = ImageConfig.parse(configBytes, manifest.config().mediaType());
        Image parsed = Image.of(List.of(), manifest, config, image.names());
        List<Layer> layers = new ArrayList<>();
        for (var id : image.layers()) {
            layers.add(index.layer(id).orElseThrow(() -> new LayerNotFoundException(id.hex()
                    + " (a layer of image " + image.id() + ")")));
        }
        AtomicLong written = new AtomicLong();
        LongConsumer count = n -> progress.accept(written.addAndGet(n));
        if (destination instanceof ImageReference.Oci oci) {
            OciLayoutWriter out = OciLayoutWriter.open(oci.path());
            for (ImageLayer l : parsed.layers()) {
                Layer layer = layers.get(l.index());
                try (InputStream in = new CountingInputStream(layerBlob(image, l, layer, layout), count)) {
                    out.putBlob(l.blob(), in);
                }
            }
            out.putBlob(manifest.config(), new java.io.ByteArrayInputStream(configBytes));
            Descriptor entry = out.putManifest(manifest);
            if (oci.tag().isPresent()) {
                out.tag(entry, oci.tag().get());
            } else {
                out.add(entry);
            }
            return;
        }
        ImageReference.DockerArchive archive = (ImageReference.DockerArchive) destination;
        try (DockerArchiveWriter out = DockerArchiveWriter.create(archive.path())) {
            List<DockerArchiveWriter.Layer> tars = new ArrayList<>();
            for (Layer layer : layers) {
                tars.add(new DockerArchiveWriter.Layer(OciDigest.of(layer.diffDigest()), layer.diffSize(),
                        () -> new CountingInputStream(tar(layer, layout), count)));
            }
            out.add(config, tars, archive.ref().map(List::of).orElse(List.of()));
            out.commit();
        }
    }

    /** A layer's blob as the image holds it: its bytes as received, or its tar rebuilt if that is what they were. */
    private static InputStream layerBlob(ImageRecord image, ImageLayer l, Layer layer, StoreLayout layout)
            throws IOException {
        if (l.uncompressed()) {
            return tar(layer, layout);
        }
        Digest digest = l.blob().digest().toSha256().orElseThrow(() -> new IOException("image " + image.id() + " "
                + l + ": not named by sha256, which a store keeps blobs by"));
        return Channels.newInputStream(layout.blobs().open(digest));
    }

    private static byte[] read(BlobStore blobs, Digest digest, String what) throws IOException {
        try (SeekableByteChannel ch = blobs.open(digest); InputStream in = Channels.newInputStream(ch)) {
            byte[] bytes = in.readNBytes(ImageManifest.MAX_SIZE + 1);
            if (!Digest.sha256(bytes).equals(digest)) {
                throw new dev.cairn.model.DigestMismatchException(what + " (blob " + layoutPath(blobs, digest) + ")",
                        digest, Digest.sha256(bytes));
            }
            return bytes;
        }
    }

    private static String layoutPath(BlobStore blobs, Digest digest) {
        return blobs + "/" + digest.hex();
    }

    /**
     * A layer's original tar, rebuilt by a thread of its own into a pipe: a failure there (a layer whose files no
     * longer match its record) is thrown by the read that meets the pipe's end, never taken for the end of the tar.
     */
    private static InputStream tar(Layer layer, StoreLayout layout) throws IOException {
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream out = new PipedOutputStream(in);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try (out) {
                TarRecord.reproduce(layer.id().hex(), layout.layer(layer.id()), layer.diffDigest(), out);
            } catch (IOException | RuntimeException | Error e) {
                failure.set(e);
            }
        }, "cairn-export-" + layer.id().hex().substring(0, 12));
        producer.setDaemon(true);
        producer.start();
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) {
                    end();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    end();
                }
                return n;
            }

            private void end() throws IOException {
                try {
                    producer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while rebuilding layer " + layer.id());
                }
                Throwable t = failure.get();
                if (t instanceof IOException io) {
                    throw io;
                }
                if (t != null) {
                    throw new IOException("rebuilding layer " + layer.id() + " failed: " + t, t);
                }
            }

            @Override
            public void close() throws IOException {
                super.close();
                producer.interrupt();
            }
        };
    }
}
