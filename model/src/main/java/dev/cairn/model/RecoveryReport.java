package dev.cairn.model;

import java.util.List;

/**
 * What one recovery run did: the records it appended, one per action, in order. Empty when the store was clean.
 */
public record RecoveryReport(List<JournalRecord> actions) {

    public RecoveryReport {
        actions = List.copyOf(actions);
    }

    public boolean clean() {
        return actions.isEmpty();
    }
}
