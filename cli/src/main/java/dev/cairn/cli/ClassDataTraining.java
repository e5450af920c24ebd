package dev.cairn.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The workload the launcher runs once, after each build, under {@code -XX:ArchiveClassesAtExit}, so that the
 * application class-data archive it then starts every command with holds the classes every command loads: the help
 * of each command, and each command against a scratch store (import of a plain, gzip and zstd tar, stage, apply,
 * cleanup, the queries, diff, checkout, verify, delete).
 *
 * <p>Usage: {@code ClassDataTraining DIR}, an empty or missing scratch folder, deleted afterwards. Prints nothing
 * on success; exit status 1 and one line on stderr if any command failed (the launcher then keeps no archive).
 */
final class ClassDataTraining {

    private ClassDataTraining() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ClassDataTraining DIR");
            System.exit(Main.USAGE);
        }
        Path dir = Path.of(args[0]);
        List<String> failures;
        try {
            failures = run(dir);
        } finally {
            deleteTree(dir);
        }
        if (!failures.isEmpty()) {
            System.err.println("cairn: class-data training failed: " + String.join("; ", failures));
            System.exit(Main.FAILED);
        }
    }

    /** Runs the workload in {@code dir}; returns a line for each command that did not do what it should. */
    static List<String> run(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path root = dir.resolve("store");
        Path tar = dir.resolve("layer.tar");
        byte[] plain = sampleTar();
        Files.write(tar, plain);
        Path gzip = dir.resolve("layer.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzip))) {
            out.write(plain);
        }
        Path zstd = dir.resolve("layer.tar.zst");
        Files.write(zstd, zstdFrame(plain));
        Session s = new Session(root);
        s.help("--help");
        s.help("--version");
        for (String command : Main.COMMANDS.keySet()) {
            s.help(command, "--help");
        }
        String base = s.run("import", tar.toString(), "--name", "base");
        String gz = s.run("import", gzip.toString(), "--parent", "base", "--name", "gz");
        String zst = s.run("import", zstd.toString(), "--parent", gz);
        String staging = s.run("stage", tar.toString());
        s.run("apply", staging, "--parent", zst, "--name", "staged");
        s.run("cleanup", staging);
        s.run("create", "--parent", "staged", "--name", "empty");
        s.run("layers");
        s.run("layers", "--json");
        s.run("inspect", "base");
        s.run("inspect", base, "--json");
        s.run("log");
        s.run("log", "--json", "--layer", "base");
        s.run("replay", "--until", "2");
        s.run("replay", "--until", "2", "--json");
        s.run("log", "--type", "LayerCommitted", "--since", "1", "--limit", "3");
        s.run("replay", "--from", "0", "--to", "2");
        s.run("replay", "--from", "0", "--to", "2", "--json");
        s.run("names", "base", "--add", "first");
        s.run("changes", "gz");
        s.run("diff", "gz", "-o", dir.resolve("out.tar").toString());
        s.run("checkout", "staged", dir.resolve("checkout").toString());
        s.run("verify");
        s.run("verify", "--deep");
        s.run("delete", "empty");
        s.run("history", "empty");
        s.fails("inspect", "no-such-layer");
        return s.failures;
    }

    /** Runs command lines in this process against one store, with their output thrown away. */
    private static final class Session {
        private final Path root;
        private final List<String> failures = new ArrayList<>();

        Session(Path root) {
            this.root = root;
        }

        /** Runs a command that must succeed; returns the first line it printed. */
        String run(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = exec(args, new PrintStream(out, true, StandardCharsets.UTF_8));
            if (status != Main.OK) {
                failures.add(String.join(" ", args) + ": exit status " + status);
            }
            String text = out.toString(StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return nl < 0 ? text : text.substring(0, nl);
        }

        void help(String... args) {
            run(args);
        }

        /** Runs a command that must fail with {@link Main#FAILED}. */
        void fails(String... args) {
            int status = exec(args, new PrintStream(OutputStream.nullOutputStream()));
            if (status != Main.FAILED) {
                failures.add(String.join(" ", args) + ": exit status " + status + ", expected " + Main.FAILED);
            }
        }

        private int exec(String[] args, PrintStream out) {
            String[] all = new String[args.length + 2];
            all[0] = "--root";
            all[1] = root.toString();
            System.arraycopy(args, 0, all, 2, args.length);
            return Main.run(all, out, new PrintStream(OutputStream.nullOutputStream()));
        }
    }

    /** A small ustar archive: a directory, two files, a symlink and a hardlink, as a real layer has. */
    static byte[] sampleTar() {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        entry(tar, "etc/", '5', 0755, "", new byte[0]);
        entry(tar, "etc/hostname", '0', 0644, "", "cairn\n".getBytes(StandardCharsets.US_ASCII));
        entry(tar, "etc/motd", '0', 0644, "", "a layer made to train the class-data archive\n"
                .getBytes(StandardCharsets.US_ASCII));
        entry(tar, "etc/issue", '2', 0777, "motd", new byte[0]);
        entry(tar, "etc/motd.link", '1', 0644, "etc/motd", new byte[0]);
        tar.writeBytes(new byte[1024]);
        return tar.toByteArray();
    }

    private static void entry(ByteArrayOutputStream tar, String name, char type, int mode, String link,
                              byte[] content) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, String.format("%07o", mode));
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", content.length));
        put(h, 136, String.format("%011o", 1_700_000_000L));
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        put(h, 157, link);
        put(h, 257, "ustar");
        put(h, 263, "00");
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[155] = ' ';
        tar.writeBytes(h);
        tar.writeBytes(content);
        tar.writeBytes(new byte[(512 - content.length % 512) % 512]);
    }

    private static void put(byte[] header, int at, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, at, b.length);
    }

    /**
     * {@code content} as one zstd frame of one raw (stored) block: what a zstd decoder reads like any other frame,
     * written without a zstd library (RFC 8878 section 3.1.1). For content up to 128 KiB.
     */
    static byte[] zstdFrame(byte[] content) {
        if (content.length > 128 * 1024) {
            throw new IllegalArgumentException("one raw block holds at most 128 KiB");
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.writeBytes(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd});
        frame.write(0x00); // frame header: no content size, no checksum, no dictionary, a window descriptor
        frame.write(7 << 3); // window of 2^(10+7) = 128 KiB
        int blockHeader = 1 | content.length << 3; // last block, raw, its size
        frame.write(blockHeader & 0xff);
        frame.write(blockHeader >>> 8 & 0xff);
        frame.write(blockHeader >>> 16 & 0xff);
        frame.writeBytes(content);
        return frame.toByteArray();
    }

    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> all = Files.walk(top)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
