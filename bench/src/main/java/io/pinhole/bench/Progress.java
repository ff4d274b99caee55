package io.pinhole.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress bar for a long phase: {@code [#####.....] 512/1,000 users 12 s}. Redrawn in place on a terminal, one
 * line every 10 % otherwise (CI logs stay short).
 */
public final class Progress implements AutoCloseable {

    private static final boolean TERMINAL = System.console() != null;

    private final String what;
    private final long total;
    private final long started = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private volatile long lastDrawn = -1;

    public Progress(String what, long total) {
        this.what = what;
        this.total = Math.max(1, total);
        draw(0);
    }

    public void step() {
        advance(1);
    }

    public void advance(long count) {
        final long now = done.addAndGet(count);
        final long tenth = now * 10 / total;
        if (TERMINAL ? now == total || (System.nanoTime() - started) / 100_000_000L != lastDrawn : tenth != lastDrawn) {
            lastDrawn = TERMINAL ? (System.nanoTime() - started) / 100_000_000L : tenth;
            draw(now);
        }
    }

    private synchronized void draw(long now) {
        final int filled = (int) (30 * Math.min(now, total) / total);
        final String line = String.format("  [%s%s] %,d/%,d %s %d s", "#".repeat(filled), ".".repeat(30 - filled), now,
                                          total, what, (System.nanoTime() - started) / 1_000_000_000L);
        if (TERMINAL) {
            System.out.print("\r" + line);
        } else {
            System.out.println(line);
        }
    }

    @Override
    public void close() {
        draw(done.get());
        if (TERMINAL) {
            System.out.println();
        }
    }
}
