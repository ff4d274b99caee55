package io.pinhole.devstack;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Runs a few blocking start/stop tasks at once: most of their time is spent waiting on child processes. */
final class Parallel {

    private Parallel() {}

    /** Runs every task, waits for all, then rethrows the first failure (with the others suppressed). */
    static void run(List<Runnable> tasks) {
        if (tasks.size() == 1) {
            tasks.get(0).run();
            return;
        }
        final ExecutorService executor = Executors.newFixedThreadPool(tasks.size(), task -> {
            final Thread thread = new Thread(task, "devstack-start");
            thread.setDaemon(true);
            return thread;
        });
        try {
            final List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (Runnable task : tasks) {
                futures.add(CompletableFuture.runAsync(task, executor));
            }
            RuntimeException failure = null;
            for (CompletableFuture<Void> future : futures) {
                try {
                    future.join();
                } catch (CompletionException e) {
                    final RuntimeException cause = e.getCause() instanceof RuntimeException runtime ? runtime
                            : new IllegalStateException(e.getCause());
                    if (failure == null) {
                        failure = cause;
                    } else {
                        failure.addSuppressed(cause);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            executor.shutdown();
        }
    }
}
