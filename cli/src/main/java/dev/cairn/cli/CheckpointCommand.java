package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.store.StoreCheckpoint;
import dev.cairn.store.StoreProofs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Base64;

/** {@code cairn checkpoint}: a signed checkpoint of the journal's head (docs/PROOFS.md). */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = {"Signs a checkpoint of the journal's head with the store's key and prints it: a C2SP "
                + "tlog-checkpoint (origin, record count, Merkle root) as a signed note.",
                "Keep it: cairn verify --checkpoint FILE proves later that the journal still extends it, and "
                        + "cairn prove SEQ --checkpoint FILE that a record is in it.",
                "A store without a key gets one now, in <root>/keys/ (the private part readable by its owner "
                        + "only). Refused if the journal no longer extends the last checkpoint the key signed."})
final class CheckpointCommand extends StoreCommand {

    @Option(names = "--json", description = "Print one JSON object: origin, size, rootHash (base64), note, "
            + "verifierKey.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        StoreCheckpoint c;
        try (StoreProofs proofs = StoreProofs.openForSigning(main.root())) {
            c = proofs.checkpoint();
            proofs.notices().forEach(this::note);
        }
        if (json) {
            ObjectNode o = LayerView.Json.MAPPER.createObjectNode();
            o.put("origin", c.origin());
            o.put("size", c.size());
            o.put("rootHash", Base64.getEncoder().encodeToString(c.rootHash().bytes()));
            o.put("note", c.note());
            o.put("verifierKey", c.verifierKey());
            out().println(LayerView.pretty(o));
        } else {
            out().print(c.note());
        }
        return Main.OK;
    }
}
