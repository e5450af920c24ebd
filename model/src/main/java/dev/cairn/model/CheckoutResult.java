package dev.cairn.model;

import java.util.List;

/**
 * What a checkout made.
 *
 * @param entries       paths made, the root not counted
 * @param fileBytes     bytes of regular files (each inode once)
 * @param reflinked     regular files made as copy-on-write clones of the store's
 * @param copied        regular files copied
 * @param storeLinked   regular files hardlinked to the store's ({@link CheckoutOptions.FileSource#HARDLINK_UNSAFE})
 * @param notCreated    paths of device nodes that were not made because this process is not root (they are in
 *                      the manifests; nothing stands at their place)
 * @param ownersApplied whether owners were applied (only as root; otherwise every path belongs to this user)
 */
public record CheckoutResult(long entries, long fileBytes, long reflinked, long copied, long storeLinked,
                             List<String> notCreated, boolean ownersApplied) {
    public CheckoutResult {
        notCreated = List.copyOf(notCreated);
    }
}
