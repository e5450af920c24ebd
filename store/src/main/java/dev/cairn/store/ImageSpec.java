package dev.cairn.store;

import dev.cairn.model.LayerNames;

import java.util.List;
import java.util.stream.Stream;

/**
 * What to call an image being imported. Immutable; start from {@link #unnamed()}.
 *
 * @param names names to give it (e.g. {@code example/app:v3}), each 1 to 255 bytes of UTF-8 without control characters;
 *              a name another image has moves to this one, as containers/storage moves image names
 */
public record ImageSpec(List<String> names) {

    public ImageSpec {
        names = LayerNames.checkAll(names);
    }

    /** No names. */
    public static ImageSpec unnamed() {
        return new ImageSpec(List.of());
    }

    public ImageSpec withNames(List<String> n) {
        return new ImageSpec(n);
    }

    public ImageSpec withName(String n) {
        return new ImageSpec(Stream.concat(names.stream(), Stream.of(n)).toList());
    }
}
