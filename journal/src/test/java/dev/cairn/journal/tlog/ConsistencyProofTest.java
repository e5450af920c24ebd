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

/** Checking a consistency proof (RFC 9162 section 2.1.4.2): published proofs pass, broken variants fail. */
class ConsistencyProofTest {

    static Stream<Rfc6962Vectors.Consistency> published() {
        return Rfc6962Vectors.CONSISTENCIES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("published")
    void aPublishedProofLinksItsTwoRoots(Rfc6962Vectors.Consistency v) throws InvalidProofException {
        v.proof().verify(Rfc6962Vectors.root(v.size1()), Rfc6962Vectors.root(v.size2()));
    }

    static Stream<Arguments> broken() {
        List<Arguments> out = new ArrayList<>();
        for (Rfc6962Vectors.Consistency v : Rfc6962Vectors.CONSISTENCIES) {
            if (v.size1() == v.size2()) {
                continue;
            }
            List<Digest> path = Rfc6962Vectors.b64(v.path());
            Digest r1 = Rfc6962Vectors.root(v.size1());
            Digest r2 = Rfc6962Vectors.root(v.size2());
            String at = v.size1() + " to " + v.size2() + ": ";
            out.add(Arguments.of(at + "roots swapped", v.size1(), v.size2(), path, r2, r1));
            out.add(Arguments.of(at + "wrong old root", v.size1(), v.size2(), path, Rfc6962Vectors.root(v.size1() + 1), r2));
            out.add(Arguments.of(at + "wrong new root", v.size1(), v.size2(), path, r1, Rfc6962Vectors.root(v.size2() - 1)));
            out.add(Arguments.of(at + "size1 + 1", v.size1() + 1, v.size2(), path, r1, r2));
            if (v.size1() > 1) {
                out.add(Arguments.of(at + "size1 - 1", v.size1() - 1, v.size2(), path, r1, r2));
            }
            out.add(Arguments.of(at + "size2 * 2", v.size1(), v.size2() * 2, path, r1, r2));
            if (v.size2() / 2 >= v.size1()) {
                out.add(Arguments.of(at + "size2 / 2", v.size1(), v.size2() / 2, path, r1, r2));
            }
            out.add(Arguments.of(at + "empty proof", v.size1(), v.size2(), List.of(), r1, r2));
            out.add(Arguments.of(at + "garbage prepended", v.size1(), v.size2(), with(path, p -> {
                p.add(0, r1);
                return p;
            }), r1, r2));
            out.add(Arguments.of(at + "garbage appended", v.size1(), v.size2(), with(path, p -> {
                p.add(r2);
                return p;
            }), r1, r2));
            for (int i = 0; i < path.size(); i++) {
                int k = i;
                out.add(Arguments.of(at + "bit flipped in hash " + i, v.size1(), v.size2(), with(path, p -> {
                    byte[] b = p.get(k).bytes();
                    b[4] ^= 0x01;
                    p.set(k, Digest.ofBytes(b));
                    return p;
                }), r1, r2));
                out.add(Arguments.of(at + "hash " + i + " removed", v.size1(), v.size2(), with(path, p -> {
                    p.remove(k);
                    return p;
                }), r1, r2));
            }
        }
        return out.stream();
    }

    private static List<Digest> with(List<Digest> path, UnaryOperator<List<Digest>> change) {
        return change.apply(new ArrayList<>(path));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void aBrokenProofFails(String what, long size1, long size2, List<Digest> path, Digest root1, Digest root2) {
        assertThatThrownBy(() -> new ConsistencyProof(size1, size2, path).verify(root1, root2))
                .isInstanceOf(InvalidProofException.class);
    }

    @Test
    void equalSizesNeedEqualRootsAndNoHashes() throws InvalidProofException {
        new ConsistencyProof(5, 5, List.of()).verify(Rfc6962Vectors.root(5), Rfc6962Vectors.root(5));
        assertThatThrownBy(() -> new ConsistencyProof(5, 5, List.of()).verify(Rfc6962Vectors.root(5),
                Rfc6962Vectors.root(6))).isInstanceOf(InvalidProofException.class);
        assertThatThrownBy(() -> new ConsistencyProof(5, 5, List.of(Rfc6962Vectors.root(1)))
                .verify(Rfc6962Vectors.root(5), Rfc6962Vectors.root(5))).isInstanceOf(InvalidProofException.class);
    }

    @Test
    void thereIsNoProofFromTheEmptyTreeOrBackwards() {
        assertThatThrownBy(() -> new ConsistencyProof(0, 3, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConsistencyProof(4, 3, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyProbeOfTheTransparencyDevCorpusIsJudgedAsItsAuthorsJudgeIt() throws IOException {
        ProbeCorpus.judgeAll("consistency", p -> new ConsistencyProof(p.number("size1"), p.number("size2"), p.proof())
                .verify(p.hash("root1"), p.hash("root2")));
    }
}
