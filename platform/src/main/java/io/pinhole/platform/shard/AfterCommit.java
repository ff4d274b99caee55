package io.pinhole.platform.shard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Work to run once the current {@link ShardedDatabase} transaction of this thread has committed (dropped when it
 * rolls back): e.g. waking the outbox relay after an event was written. Transactions may nest (a transaction on one
 * shard opening another on a second server); each keeps its own list.
 */
public final class AfterCommit {

    private static final ThreadLocal<Deque<List<Runnable>>> transactions = ThreadLocal.withInitial(ArrayDeque::new);

    private AfterCommit() {}

    /** Runs {@code work} after the innermost open transaction of this thread commits; at once when there is none. */
    public static void run(Runnable work) {
        final Deque<List<Runnable>> open = transactions.get();
        if (open.isEmpty()) {
            work.run();
        } else {
            open.peek().add(work);
        }
    }

    static void begin() {
        transactions.get().push(new ArrayList<>());
    }

    /** Ends the innermost transaction, running its work when it committed. */
    static void end(boolean committed) {
        final Deque<List<Runnable>> open = transactions.get();
        final List<Runnable> work = open.pop();
        if (open.isEmpty()) {
            transactions.remove();
        }
        if (committed) {
            work.forEach(Runnable::run);
        }
    }
}
