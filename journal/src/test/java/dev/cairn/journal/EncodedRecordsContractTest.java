package dev.cairn.journal;

import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link EncodedRecords} contract, run against both journals: the bytes handed out are exactly the records' (the
 * hash chain's input), in seq order, checked as a cursor checks them.
 */
class EncodedRecordsContractTest {

    @TempDir
    Path dir;

    private static List<byte[]> read(EncodedRecords journal, long from, long to) throws IOException {
        List<byte[]> out = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        journal.readEncoded(from, to, (seq, bytes) -> {
            seqs.add(seq);
            out.add(bytes);
        });
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo(from + i);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "chronicle"})
    void theBytesAreThoseTheChainHashes(String kind) throws IOException {
        try (var journal = journalOf(kind)) {
            List<Event> events = SampleEvents.everyType();
            List<JournalRecord> written = journal.appendAll(events, ACTOR);
            List<byte[]> bytes = read((EncodedRecords) journal, 1, written.size());
            assertThat(bytes).hasSize(written.size());
            for (int i = 0; i < bytes.size(); i++) {
                assertThat(Digest.sha256(bytes.get(i))).isEqualTo(written.get(i).hash());
                assertThat(RecordCodec.decode(bytes.get(i), i + 1, () -> "test")).isEqualTo(written.get(i));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "chronicle"})
    void aRangeInTheMiddleIsThoseRecordsOnly(String kind) throws IOException {
        try (var journal = journalOf(kind)) {
            List<JournalRecord> written = journal.appendAll(SampleEvents.everyType(), ACTOR);
            List<byte[]> bytes = read((EncodedRecords) journal, 5, 7);
            assertThat(bytes).hasSize(3);
            assertThat(Digest.sha256(bytes.get(0))).isEqualTo(written.get(4).hash());
            assertThat(read((EncodedRecords) journal, 7, 6)).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "chronicle"})
    void readingPastTheEndFailsAfterHandingOnWhatThereIs(String kind) throws IOException {
        try (var journal = journalOf(kind)) {
            journal.appendAll(List.of(SampleEvents.everyType().get(0), SampleEvents.everyType().get(1)), ACTOR);
            List<Long> seen = new ArrayList<>();
            assertThatThrownBy(() -> ((EncodedRecords) journal).readEncoded(2, 4, (seq, b) -> seen.add(seq)))
                    .isInstanceOf(EOFException.class).hasMessageContaining("ends at seq 2, before seq 4");
            assertThat(seen).containsExactly(2L);
            assertThatThrownBy(() -> ((EncodedRecords) journal).readEncoded(0, 1, (seq, b) -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @org.junit.jupiter.api.Test
    void aDamagedRecordIsRefused() throws IOException {
        try (InMemoryJournal journal = new InMemoryJournal()) {
            journal.appendAll(SampleEvents.everyType().subList(0, 3), ACTOR);
            JournalRecord second = journal.read(2).next();
            byte[] bytes = RecordCodec.encode(2, second.time(), ACTOR, second.event(), second.prev());
            bytes[bytes.length - 1] ^= 1;
            journal.overwrite(2, bytes);
            assertThatThrownBy(() -> journal.readEncoded(1, 3, (seq, b) -> { }))
                    .isInstanceOf(JournalCorruptedException.class).hasMessageContaining("checksum failed");
        }
    }

    private Journal journalOf(String kind) throws IOException {
        return kind.equals("memory") ? new InMemoryJournal() : ChronicleJournal.open(dir.resolve("journal"));
    }
}
