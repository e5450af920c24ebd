package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checking an inclusion proof (RFC 9162 section 2.1.3.2): the published proofs pass, every broken variant fails. */
class InclusionProofTest {

    static Stream<Rfc6962Vectors.Inclusion> published() {
        return Rfc6962Vectors.INCLUSIONS.stream();
    }

    @ParameterizedTest(name = "leaf {0}")
    @MethodSource("published")
    void aPublishedProofLeadsFromItsLeafToItsRoot(Rfc6962Vectors.Inclusion v) throws InvalidProofException {
        InclusionProof proof = v.proof();
        Digest leaf = Rfc6962Vectors.leafHash((int) v.index());
        assertThat(proof.rootFrom(leaf)).isEqualTo(Rfc6962Vectors.root(v.size()));
        proof.verify(leaf, Rfc6962Vectors.root(v.size()));
        proof.verifyLeaf(Rfc6962Vectors.LEAVES.get((int) v.index()), Rfc6962Vectors.root(v.size()));
    }

    /** Each published proof broken in one way: what the probes of transparency-dev/merkle break. */
    static Stream<Arguments> broken() {
        List<Arguments> out = new ArrayList<>();
        for (Rfc6962Vectors.Inclusion v : Rfc6962Vectors.INCLUSIONS) {
            List<Digest> path = Rfc6962Vectors.b64(v.path());
            Digest leaf = Rfc6962Vectors.leafHash((int) v.index());
            Digest root = Rfc6962Vectors.root(v.size());
            String at = v.index() + " of " + v.size() + ": ";
            out.add(Arguments.of(at + "wrong leaf", v.index(), v.size(), path, Rfc6962Vectors.leafHash(7 - (int) v.index()), root));
            out.add(Arguments.of(at + "root of another size", v.index(), v.size(), path, leaf,
                    Rfc6962Vectors.root(v.size() == 8 ? 7 : v.size() + 1)));
            out.add(Arguments.of(at + "index + 1", v.index() + 1, v.size() + 1, path, leaf, root));
            if (v.index() > 0) {
                out.add(Arguments.of(at + "index - 1", v.index() - 1, v.size(), path, leaf, root));
            }
            out.add(Arguments.of(at + "index XOR 2", v.index() ^ 2, Math.max(v.size(), (v.index() ^ 2) + 1), path, leaf,
                    root));
            out.add(Arguments.of(at + "size * 2", v.index(), v.size() * 2, path, leaf, root));
            if (v.size() / 2 > v.index()) {
                out.add(Arguments.of(at + "size / 2", v.index(), v.size() / 2, path, leaf, root));
            }
            out.add(Arguments.of(at + "a hash inserted", v.index(), v.size(), with(path, p -> {
                p.add(0, leaf);
                return p;
            }), leaf, root));
            out.add(Arguments.of(at + "root appended", v.index(), v.size(), with(path, p -> {
                p.add(root);
                return p;
            }), leaf, root));
            for (int i = 0; i < path.size(); i++) {
                int k = i;
                out.add(Arguments.of(at + "bit flipped in hash " + i, v.index(), v.size(), with(path, p -> {
                    byte[] b = p.get(k).bytes();
                    b[3] ^= 0x10;
                    p.set(k, Digest.ofBytes(b));
                    return p;
                }), leaf, root));
                out.add(Arguments.of(at + "hash " + i + " removed", v.index(), v.size(), with(path, p -> {
                    p.remove(k);
                    return p;
                }), leaf, root));
            }
        }
        return out.stream();
    }

    private static List<Digest> with(List<Digest> path, UnaryOperator<List<Digest>> change) {
        return change.apply(new ArrayList<>(path));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void aBrokenProofFails(String what, long index, long size, List<Digest> path, Digest leaf, Digest root) {
        assertThatThrownBy(() -> new InclusionProof(index, size, path).verify(leaf, root))
                .isInstanceOf(InvalidProofException.class);
    }

    @Test
    void aProofOfTheWrongLengthSaysHowLongItShouldBe() {
        InclusionProof proof = new InclusionProof(0, 8, List.of(Rfc6962Vectors.root(1)));
        assertThatThrownBy(() -> proof.rootFrom(Rfc6962Vectors.leafHash(0))).isInstanceOf(InvalidProofException.class)
                .hasMessage("inclusion proof of leaf 0 in a tree of 8 leaves has 1 hashes; such a proof has 3");
    }

    @Test
    void aLeafOutsideTheTreeIsNotAProof() {
        assertThatThrownBy(() -> new InclusionProof(8, 8, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InclusionProof(0, 0, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InclusionProof(-1, 8, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLengthOfAProofIsWhatTheReferenceTreeGives() {
        for (int n = 1; n <= 130; n++) {
            List<byte[]> d = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                d.add(new byte[] {(byte) i});
            }
            for (int m = 0; m < n; m++) {
                assertThat(InclusionProof.length(m, n)).as("leaf %d of %d", m, n)
                        .isEqualTo(ReferenceTree.path(m, d).size());
            }
        }
    }

    @Test
    void everyProbeOfTheTransparencyDevCorpusIsJudgedAsItsAuthorsJudgeIt() throws IOException {
        ProbeCorpus.judgeAll("inclusion", p -> new InclusionProof(p.number("leafIdx"), p.number("treeSize"), p.proof())
                .verify(p.hash("leafHash"), p.hash("root")));
    }
}
