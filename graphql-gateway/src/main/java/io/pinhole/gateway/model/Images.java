package io.pinhole.gateway.model;

/** The GraphQL {@code Images}: the three renditions of a photo. */
public record Images(Image thumbnail, Image low, Image standard) {

    /** The GraphQL {@code Image}: where to fetch one rendition and its size in pixels. */
    public record Image(String url, int width, int height) {
    }
}
