package io.pinhole.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * An open-loop load: requests start at a fixed arrival rate whatever the system's answers, each on its own virtual
 * thread, and every latency is measured from the request's <em>intended</em> start. A slow answer therefore cannot
 * hold back the requests behind it and hide its cost (coordinated omission, Gil Tene): a stall shows in every
 * request scheduled during it. When more than {@code maxOutstanding} requests are in flight, a new one is not sent
 * and counts as failed, with the latency it had waited so far — the load generator never silently lowers the rate.
 */
public final class OpenLoop {

    /** One request; throws when the answer is wrong (a failure), returns when it is right. */
    @FunctionalInterface
    public interface Request {
        void send(int sequence) throws Exception;
    }

    /** What one run measured. Latencies in microseconds. */
    public record Result(String name, double offeredPerSecond, double achievedPerSecond, long ok, long failed,
                         Histogram latency, Map<String, Long> failures) {

        public double percentileMillis(double percentile) {
            return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
        }

        public double errorRate() {
            return ok + failed == 0 ? 0 : (double) failed / (ok + failed);
        }
    }

    private OpenLoop() {}

    public static Result run(String name, double perSecond, Duration duration, int maxOutstanding, Request request) {
        final ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(5), 3);
        final LongAdder ok = new LongAdder();
        final LongAdder failed = new LongAdder();
        final Map<String, Long> failures = new LinkedHashMap<>();
        final Semaphore outstanding = new Semaphore(maxOutstanding);
        final long total = Math.max(1, Math.round(perSecond * duration.toNanos() / 1e9));
        final double intervalNanos = 1e9 / perSecond;
        final long start = System.nanoTime();
        long lastDone = start;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int sequence = 0; sequence < total; sequence++) {
                final long intended = start + Math.round(sequence * intervalNanos);
                long now;
                while ((now = System.nanoTime()) < intended) {
                    LockSupport.parkNanos(intended - now);
                }
                if (!outstanding.tryAcquire()) {
                    failed.increment();
                    latency.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
                    count(failures, "too many outstanding (> " + maxOutstanding + ")");
                    continue;
                }
                final int number = sequence;
                threads.execute(() -> {
                    try {
                        request.send(number);
                        ok.increment();
                    } catch (Exception | AssertionError e) {
                        failed.increment();
                        count(failures, describe(e));
                    } finally {
                        latency.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
                        outstanding.release();
                    }
                });
            }
            threads.shutdown();
            if (!threads.awaitTermination(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException(name + ": requests still running 2 minutes after the end");
            }
            lastDone = System.nanoTime();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        final double seconds = Math.max(duration.toNanos(), lastDone - start) / 1e9;
        return new Result(name, perSecond, ok.sum() / seconds, ok.sum(), failed.sum(), latency, failures);
    }

    private static String describe(Throwable e) {
        final String message = String.valueOf(e.getMessage());
        return e.getClass().getSimpleName() + ": " + (message.length() > 120 ? message.substring(0, 120) + "…" : message);
    }

    private static void count(Map<String, Long> failures, String what) {
        synchronized (failures) {
            failures.merge(what, 1L, Long::sum);
        }
    }
}
