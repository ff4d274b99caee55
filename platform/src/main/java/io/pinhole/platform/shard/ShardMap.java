package io.pinhole.platform.shard;

import static java.util.Objects.requireNonNull;

import io.pinhole.platform.id.PinholeIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which physical PostgreSQL server holds each logical shard.
 *
 * <p>A logical shard is a schema ({@code shard_0000} …) and never changes for the rows in it; moving one to another
 * server changes only this map. The map is written as ranges, {@code "0-7:0,8-15:1"} (logical shards 0–7 on physical
 * server 0, 8–15 on server 1); without one, shards are spread in contiguous blocks over the servers, as Instagram did.
 */
public final class ShardMap {

    private final int[] physicalByLogical;
    private final int physicalServers;

    private ShardMap(int[] physicalByLogical, int physicalServers) {
        this.physicalByLogical = physicalByLogical;
        this.physicalServers = physicalServers;
    }

    /** {@code logicalShards} spread in contiguous, equal blocks over {@code physicalServers}. */
    public static ShardMap contiguous(int logicalShards, int physicalServers) {
        checkCounts(logicalShards, physicalServers);
        final int[] map = new int[logicalShards];
        for (int shard = 0; shard < logicalShards; shard++) {
            map[shard] = (int) ((long) shard * physicalServers / logicalShards);
        }
        return new ShardMap(map, physicalServers);
    }

    /**
     * Parses {@code "0-7:0,8-15:1"}. Every logical shard from 0 to the highest named must appear exactly once, and
     * every physical server index must be below {@code physicalServers}.
     */
    public static ShardMap parse(String spec, int physicalServers) {
        requireNonNull(spec, "spec");
        final Map<Integer, Integer> assignments = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            final String[] rangeAndServer = part.trim().split(":");
            if (rangeAndServer.length != 2) {
                throw new IllegalArgumentException("shard map entry must look like 0-7:0, was '" + part + "'");
            }
            final String[] bounds = rangeAndServer[0].trim().split("-");
            final int first = Integer.parseInt(bounds[0].trim());
            final int last = bounds.length == 2 ? Integer.parseInt(bounds[1].trim()) : first;
            final int server = Integer.parseInt(rangeAndServer[1].trim());
            if (server < 0 || server >= physicalServers) {
                throw new IllegalArgumentException("shard map names physical server " + server + " but only "
                        + physicalServers + " are configured");
            }
            for (int shard = first; shard <= last; shard++) {
                if (assignments.put(shard, server) != null) {
                    throw new IllegalArgumentException("logical shard " + shard + " is mapped twice");
                }
            }
        }
        final int logicalShards = assignments.size();
        checkCounts(logicalShards, physicalServers);
        final int[] map = new int[logicalShards];
        for (int shard = 0; shard < logicalShards; shard++) {
            final Integer server = assignments.get(shard);
            if (server == null) {
                throw new IllegalArgumentException("logical shard " + shard + " is missing from the shard map");
            }
            map[shard] = server;
        }
        return new ShardMap(map, physicalServers);
    }

    private static void checkCounts(int logicalShards, int physicalServers) {
        if (logicalShards < 1 || logicalShards > PinholeIds.MAX_LOGICAL_SHARDS) {
            throw new IllegalArgumentException("logical shards must be 1–8192: " + logicalShards);
        }
        if (physicalServers < 1 || physicalServers > logicalShards) {
            throw new IllegalArgumentException(
                    "physical servers must be 1–" + logicalShards + ": " + physicalServers);
        }
    }

    public int logicalShards() {
        return physicalByLogical.length;
    }

    public int physicalServers() {
        return physicalServers;
    }

    /** The physical server index holding {@code logicalShard}. */
    public int physicalServerOf(int logicalShard) {
        if (logicalShard < 0 || logicalShard >= physicalByLogical.length) {
            throw new IllegalArgumentException("no logical shard " + logicalShard + " (there are "
                    + physicalByLogical.length + ")");
        }
        return physicalByLogical[logicalShard];
    }

    /** This map with {@code logicalShard} on {@code physicalServer} instead (what a shard move changes). */
    public ShardMap withShardOn(int logicalShard, int physicalServer) {
        physicalServerOf(logicalShard);
        if (physicalServer < 0 || physicalServer >= physicalServers) {
            throw new IllegalArgumentException("no physical server " + physicalServer + " (there are "
                    + physicalServers + ")");
        }
        final int[] moved = physicalByLogical.clone();
        moved[logicalShard] = physicalServer;
        return new ShardMap(moved, physicalServers);
    }

    /** The physical server holding the row with this Pinhole ID. */
    public int physicalServerOfId(long id) {
        return physicalServerOf(PinholeIds.shard(id));
    }

    /** The logical shards held by {@code physicalServer}, ascending. */
    public List<Integer> logicalShardsOn(int physicalServer) {
        final List<Integer> shards = new ArrayList<>();
        for (int shard = 0; shard < physicalByLogical.length; shard++) {
            if (physicalByLogical[shard] == physicalServer) {
                shards.add(shard);
            }
        }
        return shards;
    }

    /** Groups IDs by the physical server that holds them, so a batch read costs one query per server. */
    public Map<Integer, List<Long>> groupByPhysicalServer(Collection<Long> ids) {
        final Map<Integer, List<Long>> groups = new LinkedHashMap<>();
        for (long id : ids) {
            groups.computeIfAbsent(physicalServerOfId(id), server -> new ArrayList<>()).add(id);
        }
        return groups;
    }

    /** The schema name of a logical shard: {@code shard_0000} … {@code shard_8191}. */
    public static String schemaOf(int logicalShard) {
        return String.format("shard_%04d", logicalShard);
    }

    /** The map written in the {@link #parse} format, ranges merged. */
    @Override
    public String toString() {
        final StringBuilder out = new StringBuilder();
        int start = 0;
        for (int shard = 1; shard <= physicalByLogical.length; shard++) {
            if (shard == physicalByLogical.length || physicalByLogical[shard] != physicalByLogical[start]) {
                if (!out.isEmpty()) {
                    out.append(',');
                }
                out.append(start).append('-').append(shard - 1).append(':').append(physicalByLogical[start]);
                start = shard;
            }
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ShardMap that && physicalServers == that.physicalServers
                && Arrays.equals(physicalByLogical, that.physicalByLogical);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(physicalByLogical) * 31 + physicalServers;
    }
}
