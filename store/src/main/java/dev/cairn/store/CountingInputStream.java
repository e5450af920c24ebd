package dev.cairn.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** A stream that tells {@code read} how many bytes each read returned (deltas), for progress. Not thread-safe. */
final class CountingInputStream extends FilterInputStream {
    private final LongConsumer read;

    CountingInputStream(InputStream in, LongConsumer read) {
        super(in);
        this.read = read;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            read.accept(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            read.accept(n);
        }
        return n;
    }
}
