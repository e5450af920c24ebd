package dev.cairn.journal.tlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.model.Digest;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * The proof probes of github.com/transparency-dev/merkle ({@code testdata/inclusion} and
 * {@code testdata/consistency}: a happy path and dozens of broken variants each), read from a checkout named by
 * {@code -Dcairn.merkleTestdata=<its testdata folder>}. They are not part of this repository; a test that uses them
 * is skipped, with the reason, where the property is not set.
 */
final class ProbeCorpus {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One probe: its file, its JSON, and whether a verifier must reject it. */
    record Probe(Path file, JsonNode json, boolean wantError) {
        Digest hash(String field) {
            return Digest.ofBytes(bytes(json.get(field)));
        }

        List<Digest> proof() {
            List<Digest> out = new ArrayList<>();
            if (json.get("proof").isArray()) {
                json.get("proof").forEach(h -> out.add(Digest.ofBytes(bytes(h))));
            }
            return out;
        }

        /**
         * Whether every hash of the probe is 32 bytes. Cairn's hashes are a type that holds SHA-256 values only, so
         * a probe with another length is refused before any check; the corpus expects that too, except where the Go
         * verifier only compares two hashes (equal sizes), which accepts equal garbage.
         */
        boolean hashesAre32Bytes() {
            for (String field : List.of("leafHash", "root", "root1", "root2")) {
                JsonNode node = json.get(field);
                if (node != null && bytes(node).length != 32) {
                    return false;
                }
            }
            return true;
        }

        /** Whether Cairn must reject it: the corpus says so, or a hash is not a SHA-256 value. */
        boolean cairnRejects() {
            return wantError || !hashesAre32Bytes();
        }

        long number(String field) {
            return json.get(field).asLong();
        }

        private static byte[] bytes(JsonNode node) {
            return node == null || node.isNull() ? new byte[0] : Base64.getDecoder().decode(node.asText());
        }
    }

    private ProbeCorpus() {
    }

    /** A verifier run on one probe; it throws to reject it. */
    @FunctionalInterface
    interface Verifier {
        void verify(Probe probe) throws InvalidProofException;
    }

    /**
     * Runs {@code verifier} on every probe under {@code testdata/<kind>} (or skips the test) and fails on the first
     * it judges otherwise than the corpus does (see {@link Probe#cairnRejects()}).
     */
    static void judgeAll(String kind, Verifier verifier) throws IOException {
        int checked = 0;
        for (Probe p : probes(kind)) {
            boolean rejected;
            try {
                verifier.verify(p);
                rejected = false;
            } catch (InvalidProofException | IllegalArgumentException e) {
                rejected = true;
            }
            if (rejected != p.cairnRejects()) {
                throw new AssertionError(p.file() + (p.cairnRejects() ? " should be rejected" : " should verify"));
            }
            checked++;
        }
        if (checked < 50) {
            throw new AssertionError("only " + checked + " probes under " + kind);
        }
    }

    /** The probes under {@code testdata/<kind>}, or the test is skipped. */
    static List<Probe> probes(String kind) throws IOException {
        String root = System.getProperty("cairn.merkleTestdata");
        Assumptions.assumeTrue(root != null && !root.isEmpty(),
                "set -Dcairn.merkleTestdata to transparency-dev/merkle's testdata folder to run its probes");
        Path dir = Path.of(root, kind);
        Assumptions.assumeTrue(Files.isDirectory(dir), dir + " is not a folder");
        List<Probe> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode json = JSON.readTree(f.toFile());
                out.add(new Probe(f, json, json.get("wantErr").asBoolean()));
            }
        }
        return out;
    }
}
