package dev.cairn.model;

import java.util.List;

/** An image index (or Docker manifest list) has no image for the platform wanted. Nothing was read past the index. */
public final class PlatformNotFoundException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String wanted;
    private final List<String> available;

    /**
     * @param index     the index concerned (e.g. {@code image index sha256:...})
     * @param wanted    the platform wanted, {@code OS/ARCH[/VARIANT]}
     * @param available the platforms the index offers, {@code OS/ARCH[/VARIANT]}, in its order
     */
    public PlatformNotFoundException(String index, String wanted, List<String> available) {
        super(index + ": no image for " + wanted + " (it has " + (available.isEmpty() ? "none" : available) + ")");
        this.wanted = wanted;
        this.available = List.copyOf(available);
    }

    /** The platform wanted, {@code OS/ARCH[/VARIANT]}. */
    public String wanted() {
        return wanted;
    }

    /** The platforms the index offers. */
    public List<String> available() {
        return available;
    }
}
