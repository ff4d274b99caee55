package io.pinhole.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Resource use per process of the running stack, from {@code /proc}: CPU time (user + system) and resident memory of
 * each process {@code ./pinhole up} started (its pid files under {@code .pinhole/pids}) and of the servers devstack
 * runs below it (PostgreSQL, Redis, memcached, Solr, S3), plus this load generator. Sampled at the start and end of
 * each phase: CPU as cores used on average, memory as the resident size at the end.
 */
public final class ProcessSampler {

    private static final double TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux the project runs on
    private static final long PAGE = 4096;

    /** CPU seconds and resident bytes per label at one instant. */
    public record Snapshot(long nanos, Map<String, Double> cpuSeconds, Map<String, Long> residentBytes) {}

    /** One phase: cores used on average and resident MiB at its end, per label. */
    public record Usage(Map<String, Double> cores, Map<String, Double> residentMiB) {}

    private final Path pids;

    public ProcessSampler(Path pids) {
        this.pids = pids;
    }

    public Snapshot sample() {
        final Map<Long, long[]> stats = new HashMap<>(); // pid → {ppid, ticks, rss pages}
        final Map<Long, String> commands = new HashMap<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    final String stat = Files.readString(process.resolve("stat"));
                    final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    final long pid = Long.parseLong(process.getFileName().toString());
                    stats.put(pid, new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[11]) + Long.parseLong(fields[12]),
                                               Long.parseLong(fields[21])});
                    commands.put(pid, Files.readString(process.resolve("cmdline")).replace('\0', ' '));
                } catch (IOException | RuntimeException gone) {
                    // the process ended between the listing and the read: it uses nothing any more
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        final Map<Long, String> labels = new HashMap<>();
        labels.put(ProcessHandle.current().pid(), "bench (this load generator)");
        if (Files.isDirectory(pids)) {
            try (Stream<Path> files = Files.list(pids)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                    final String name = file.getFileName().toString().replace(".pid", "");
                    try {
                        labels.put(Long.parseLong(Files.readString(file).trim()), name);
                    } catch (IOException | NumberFormatException ignored) {
                        // a pid file being rewritten: this sample misses that process, the next one has it
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        final Map<String, Double> cpu = new TreeMap<>();
        final Map<String, Long> memory = new TreeMap<>();
        for (Map.Entry<Long, long[]> process : stats.entrySet()) {
            final String label = label(process.getKey(), stats, commands, labels);
            if (label != null) {
                cpu.merge(label, process.getValue()[1] / TICKS_PER_SECOND, Double::sum);
                memory.merge(label, process.getValue()[2] * PAGE, Long::sum);
            }
        }
        return new Snapshot(System.nanoTime(), cpu, memory);
    }

    /** The label of a started process, or for devstack's children the server they are; null for other processes. */
    private static String label(long pid, Map<Long, long[]> stats, Map<Long, String> commands, Map<Long, String> labels) {
        final List<Long> chain = new ArrayList<>();
        for (long current = pid; current > 1 && chain.size() < 20; current = stats.containsKey(current) ? stats.get(current)[0] : 0) {
            chain.add(current);
            final String label = labels.get(current);
            if (label != null) {
                return label.equals("devstack") && current != pid ? server(commands.getOrDefault(pid, "")) : label;
            }
        }
        return null;
    }

    private static String server(String command) {
        if (command.contains("postgres")) {
            return "postgresql";
        }
        if (command.contains("redis-server")) {
            return "redis";
        }
        if (command.contains("memcached")) {
            return "memcached";
        }
        if (command.contains("solr")) {
            return "solr";
        }
        if (command.contains("s3")) {
            return "s3";
        }
        return "devstack (other)";
    }

    public static Usage between(Snapshot start, Snapshot end) {
        final double seconds = Math.max(1e-9, (end.nanos() - start.nanos()) / 1e9);
        final Map<String, Double> cores = new LinkedHashMap<>();
        final Map<String, Double> resident = new LinkedHashMap<>();
        end.cpuSeconds().forEach((label, cpu) -> {
            cores.put(label, Math.max(0, cpu - start.cpuSeconds().getOrDefault(label, 0.0)) / seconds);
            resident.put(label, end.residentBytes().getOrDefault(label, 0L) / 1048576.0);
        });
        return new Usage(cores, resident);
    }
}
