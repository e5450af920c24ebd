package dev.cairn.journal;

import dev.cairn.model.Event;
import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The committer, through the journal it writes for (its behaviour under load is in ChronicleJournalTest). */
class GroupCommitterTest {

    @TempDir
    Path tmp;

    @Test
    void anAppendReturnsTheCallersOwnEventNotADecodedCopy() throws IOException {
        Event event = new Event.OrphanRemoved("kept as it was", null);
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            JournalRecord appended = journal.append(event, ACTOR);
            assertThat(appended.event()).as("the head moved from the bytes written, nothing was read back")
                    .isSameAs(event);
            assertThat(JournalContractTest.readAll(journal, 1)).containsExactly(appended);
        }
    }

    @Test
    void anEventThatCannotBeWrittenFailsOnTheCallersThreadAndNothingIsAppended() throws IOException {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            Event unwritable = new Event.FlagsSet(SampleEvents.layer(1), java.util.Map.of("self", new Object()));
            assertThatThrownBy(() -> journal.appendAll(List.of(new Event.OrphanRemoved("a", null), unwritable), ACTOR))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot write FlagsSet");
            assertThat(journal.lastSeq()).isZero();
            assertThat(journal.append(new Event.OrphanRemoved("b", null), ACTOR).seq()).isEqualTo(1);
        }
    }

    @Test
    void aFailureReachesEachCallerAsItsOwnTypeWithTheCommittersAsItsCause() {
        List<IOException> failures = List.of(
                new AccessDeniedException("/j/20261201F.cq4", null, "open: Permission denied"),
                new NoSuchFileException("/j/20261201F.cq4"),
                new FileSystemException("/j/20261201F.cq4", null, "fallocate of 10 bytes at 0: No space left on device"),
                new JournalCorruptedException(4, "Chronicle index 0x1", "checksum failed"),
                FormatTooNewException.newerVersion("Chronicle index 0x1", 4, "Cairn journal record", 2, 1),
                new IOException("journal append failed in /j: boom"));
        for (IOException failure : failures) {
            IOException caller = GroupCommitter.forCaller(failure);
            assertThat(caller).as("%s", failure).isNotSameAs(failure).hasSameClassAs(failure)
                    .hasMessage(failure.getMessage()).hasCause(failure);
        }
        java.io.FileNotFoundException unknown = new java.io.FileNotFoundException("/j/x (Permission denied)");
        assertThat(GroupCommitter.forCaller(unknown)).isSameAs(unknown);
    }
}
