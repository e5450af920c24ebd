package dev.cairn.cli;

import dev.cairn.store.StoreProofs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code cairn prove}: the inclusion proof of one record in a signed checkpoint (docs/PROOFS.md). */
@Command(name = "prove", mixinStandardHelpOptions = true,
        description = {"Prints a proof that journal record SEQ is in a signed checkpoint, in the C2SP tlog-proof "
                + "format: the record's bytes, its Merkle inclusion proof and the checkpoint.",
                "With --checkpoint, in that kept checkpoint (its signature checked, and the journal must still "
                        + "extend it); without, in a checkpoint of the head signed now.",
                "Anyone with the store's verifier key can check the proof offline (docs/PROOFS.md)."})
final class ProveCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "SEQ", description = "The record's seq (cairn log shows them).")
    long seq;

    @Mixin
    CheckpointFile checkpoint;

    @Mixin
    ArchiveFiles archives;

    @Override
    public Integer call() throws Exception {
        String proof;
        try (StoreProofs proofs = StoreProofs.open(main.root(), checkpoint.file == null, archives.files)) {
            proof = proofs.prove(seq, checkpoint.note(),
                    checkpoint.file == null ? null : checkpoint.file.toString(), checkpoint.trustedKey());
            proofs.notices().forEach(this::note);
        }
        out().print(proof);
        return Main.OK;
    }
}
