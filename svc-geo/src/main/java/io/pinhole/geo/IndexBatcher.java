package io.pinhole.geo;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Group commit for the event consumer: each consumer worker hands its change over and waits; one thread takes every
 * change waiting at that moment (up to {@code maxBatch}) and applies them with one real-time get and one add per
 * collection. With N consumer workers a batch holds up to N changes, so indexing costs a few Solr requests per batch
 * instead of per event, and a worker still acknowledges its entry only after the write was accepted.
 */
final class IndexBatcher implements AutoCloseable {

    private record Pending(GeoIndex.Change change, CompletableFuture<Void> done) {}

    private final GeoIndex index;
    private final int maxBatch;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closing;

    private IndexBatcher(GeoIndex index, int maxBatch) {
        this.index = requireNonNull(index, "index");
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform().daemon().name("geo-index-batcher").unstarted(this::run);
    }

    static IndexBatcher start(GeoIndex index, int maxBatch) {
        final IndexBatcher batcher = new IndexBatcher(index, maxBatch);
        batcher.thread.start();
        return batcher;
    }

    /** Applies {@code change} in the next batch; returns once Solr accepted it, or throws its failure. */
    void apply(GeoIndex.Change change, Duration timeout) throws Exception {
        if (closing) {
            throw new IllegalStateException("indexer closed");
        }
        final Pending pending = new Pending(change, new CompletableFuture<>());
        queue.add(pending);
        try {
            pending.done().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new IllegalStateException("indexing did not finish within " + timeout, e);
        }
    }

    private void run() {
        final List<Pending> batch = new ArrayList<>();
        while (!closing) {
            try {
                final Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                try {
                    index.apply(batch.stream().map(Pending::change).toList(), false);
                    batch.forEach(pending -> pending.done().complete(null));
                } catch (RuntimeException e) {
                    batch.forEach(pending -> pending.done().completeExceptionally(e));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new IllegalStateException("indexer closed"));
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        thread.join(5_000);
    }
}
