package io.pinhole.media.image;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * An accepted upload: the original as sent (to be kept privately, never served) and its renditions.
 *
 * @param type       the type sniffed from the bytes
 * @param width      the width of the upright image (after the EXIF orientation), in pixels
 * @param height     the height of the upright image, in pixels
 * @param original   the uploaded bytes, unchanged (metadata included); not copied, do not modify
 * @param renditions one per {@link RenditionKind}, in the enum's order
 */
public record ProcessedImage(ImageType type, int width, int height, byte[] original, List<Rendition> renditions) {

    public ProcessedImage {
        requireNonNull(type, "type");
        requireNonNull(original, "original");
        renditions = List.copyOf(renditions);
    }

    /** The content type of the original, from its sniffed type. */
    public String originalContentType() {
        return type.contentType();
    }

    public Rendition rendition(RenditionKind kind) {
        return renditions.stream().filter(rendition -> rendition.kind() == kind).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + kind.id() + " rendition"));
    }

    @Override
    public String toString() {
        return "ProcessedImage[" + type + " " + width + "x" + height + ", " + original.length + " bytes, " + renditions
                + "]";
    }
}
