package dev.cairn.store;

import dev.cairn.model.ImageRecord;
import dev.cairn.model.LayerId;

import java.util.List;

/**
 * The result of importing an image.
 *
 * @param image      the image now in the store
 * @param duplicate  true when an image with that id (config digest) existed already and was returned, with the names
 *                   asked for added; nothing else was changed (if its manifest differs from the one imported, the
 *                   stored one is kept: an image record keeps one manifest)
 * @param addedNames the names it was given that it did not have
 * @param made       the layers this import made, base first
 * @param reused     the layers that were in the store already and were not extracted again, base first
 */
public record ImportedImage(ImageRecord image, boolean duplicate, List<String> addedNames, List<LayerId> made,
                            List<LayerId> reused) {

    public ImportedImage {
        addedNames = List.copyOf(addedNames);
        made = List.copyOf(made);
        reused = List.copyOf(reused);
    }
}
