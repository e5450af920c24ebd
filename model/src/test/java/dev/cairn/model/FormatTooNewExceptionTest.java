package dev.cairn.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FormatTooNewExceptionTest {

    @Test
    void aNewerVersionNamesTheResourceTheFormatAndBothVersions() {
        FormatTooNewException e = FormatTooNewException.newerVersion("/store/layers/ab/tar-record", 0,
                "cairn-tar-record", 3, 1);
        assertThat(e).isInstanceOf(CairnException.class).isInstanceOf(java.io.IOException.class);
        assertThat(e.resource()).isEqualTo("/store/layers/ab/tar-record");
        assertThat(e.seq()).isZero();
        assertThat(e.foundVersion()).isEqualTo(3);
        assertThat(e.newestVersion()).isEqualTo(1);
        assertThat(e.unknownPart()).isNull();
        assertThat(e.getMessage()).isEqualTo("cairn-tar-record (/store/layers/ab/tar-record) is too new: format "
                + "version 3, this Cairn reads versions up to 1; it was written by a newer Cairn, which is needed to "
                + "read it");
    }

    @Test
    void anUnknownPartOfAKnownVersionNamesIt() {
        FormatTooNewException e = FormatTooNewException.unknownPart("in-memory record 5", 0, "Cairn journal record",
                1, "event type 'LayerFrobbed'");
        assertThat(e.unknownPart()).isEqualTo("event type 'LayerFrobbed'");
        assertThat(e.foundVersion()).isEqualTo(1);
        assertThat(e.getMessage()).contains("is too new: event type 'LayerFrobbed' is unknown to this Cairn "
                + "(format version 1)");
    }

    @Test
    void placingItAtAJournalSeqKeepsTheFindingAndTheCause() {
        FormatTooNewException found = FormatTooNewException.newerVersion("bytes", 0, "Cairn journal record", 2, 1);
        FormatTooNewException placed = found.at("Chronicle index 0x1, file /j/20261201F.cq4", 7);
        assertThat(placed.seq()).isEqualTo(7);
        assertThat(placed.resource()).contains("20261201F.cq4");
        assertThat(placed.foundVersion()).isEqualTo(2);
        assertThat(placed.getCause()).isSameAs(found);
        assertThat(placed.getMessage()).startsWith("Cairn journal record seq 7 (Chronicle index 0x1");
        assertThat(placed.copy().getMessage()).isEqualTo(placed.getMessage());
    }

    @Test
    void aRefusalSaysWhatWasNotDoneFirst() {
        FormatTooNewException found = FormatTooNewException.newerVersion("/j/head", 0, "Cairn journal head", 2, 1);
        FormatTooNewException refused = found.refusing("repair refused");
        assertThat(refused.getMessage()).isEqualTo("repair refused: " + found.getMessage());
        assertThat(refused.foundVersion()).isEqualTo(2);
        assertThat(refused.getCause()).isSameAs(found);
        assertThat(refused.at("elsewhere", 3).getMessage()).startsWith("repair refused: Cairn journal head seq 3");
    }
}
