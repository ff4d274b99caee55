package io.pinhole.media.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Pixel work on decoded images: making them upright RGB, cropping and downscaling. */
final class Resizing {

    private Resizing() {}

    /**
     * The decoded image turned upright and laid over white as opaque RGB (JPEG has no alpha; white is what a
     * transparent PNG looks like on the apps' white background). Also converts grey, palette, 16-bit and
     * ICC-tagged images to plain sRGB.
     */
    static BufferedImage uprightRgb(BufferedImage decoded, Orientation orientation) {
        final int width = decoded.getWidth();
        final int height = decoded.getHeight();
        final BufferedImage upright = orientation.swapsSides()
                ? new BufferedImage(height, width, BufferedImage.TYPE_INT_RGB)
                : new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D graphics = upright.createGraphics();
        try {
            graphics.setColor(Color.WHITE);
            graphics.fillRect(0, 0, upright.getWidth(), upright.getHeight());
            // Quarter turns and flips map pixels onto pixels: nothing to interpolate.
            graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            graphics.drawImage(decoded, orientation.transform(width, height), null);
        } finally {
            graphics.dispose();
        }
        return upright;
    }

    /** The rendition of {@code kind}: a centre square for the thumbnail, else the whole image; never upscaled. */
    static BufferedImage rendition(BufferedImage upright, RenditionKind kind) {
        final int width = upright.getWidth();
        final int height = upright.getHeight();
        if (kind.square()) {
            final int side = Math.min(width, height);
            final BufferedImage square = upright.getSubimage((width - side) / 2, (height - side) / 2, side, side);
            final int target = Math.min(side, kind.width());
            return downscale(square, target, target);
        }
        if (width <= kind.width()) {
            return upright;
        }
        final int targetHeight = (int) Math.max(1, Math.round((double) height * kind.width() / width));
        return downscale(upright, kind.width(), targetHeight);
    }

    /**
     * Halves the image with bilinear filtering until one more halving would pass the target, then takes a last
     * bicubic step: each step averages every source pixel, which a single bilinear or bicubic step from far
     * above the target would not (it would skip most pixels and alias). Cheaper than area averaging
     * ({@code Image.SCALE_AREA_AVERAGING}) and close to it in quality.
     */
    static BufferedImage downscale(BufferedImage source, int targetWidth, int targetHeight) {
        BufferedImage current = source;
        int width = source.getWidth();
        int height = source.getHeight();
        while (width != targetWidth || height != targetHeight) {
            final boolean halve = width / 2 >= targetWidth && height / 2 >= targetHeight;
            width = halve ? width / 2 : targetWidth;
            height = halve ? height / 2 : targetHeight;
            current = draw(current, width, height, halve
                    ? RenderingHints.VALUE_INTERPOLATION_BILINEAR
                    : RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        }
        return current;
    }

    private static BufferedImage draw(BufferedImage source, int width, int height, Object interpolation) {
        final BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D graphics = target.createGraphics();
        try {
            graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
            graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            graphics.drawImage(source, 0, 0, width, height, null);
        } finally {
            graphics.dispose();
        }
        return target;
    }
}
