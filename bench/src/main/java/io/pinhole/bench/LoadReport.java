package io.pinhole.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The load benchmark's report: {@code bench/reports/load-<plan>.json} (every figure) and {@code load-<plan>.html}, one
 * self-contained page (inline SVG, no script, no CDN) with the headline table, latency percentiles over the offered
 * rate, throughput, the ratios to the floor and CPU/memory per process. bench/README.md explains how to read it.
 */
final class LoadReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                                            "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#17becf", "#bcbd22", "#7f7f7f"};

    private final String plan;
    private final double p99TargetMillis;
    private final Map<String, Object> world = new LinkedHashMap<>();
    private final Map<String, Object> floor = new LinkedHashMap<>();
    private final List<Map<String, Object>> workloads = new ArrayList<>();
    private final List<Map<String, Object>> phases = new ArrayList<>();
    private final Map<String, Object> reach = new LinkedHashMap<>();
    private final double loadAverageAtStart = loadAverage();

    LoadReport(String plan, double p99TargetMillis) {
        this.plan = plan;
        this.p99TargetMillis = p99TargetMillis;
    }

    void world(SyntheticWorld.Size size, int photos) {
        world.put("users", size.users());
        world.put("follows_per_user", size.followsPerUser());
        world.put("huge_accounts", size.hugeAccounts());
        world.put("huge_account_followers", size.hugeFollowers());
        world.put("photos", photos);
        world.put("likes", size.likes());
        world.put("comments", size.comments());
    }

    void floor(double feedRoundTripsPerSecond, double p50Millis, double p99Millis, double fanOutPerSecond) {
        floor.put("feed_round_trips_per_s", feedRoundTripsPerSecond);
        floor.put("feed_round_trips_p50_ms", p50Millis);
        floor.put("feed_round_trips_p99_ms", p99Millis);
        floor.put("fan_out_evalsha_pipelined_per_s", fanOutPerSecond);
    }

    private final Map<String, Object> feedCapacity = new LinkedHashMap<>();

    void feedCapacity(IdentityBenchmark.Result graphQl, IdentityBenchmark.Result grpc) {
        for (var entry : Map.of("graphql_through_gateway", graphQl, "grpc_feed_service", grpc).entrySet()) {
            final Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("per_s", entry.getValue().perSecond());
            figures.put("p50_ms", entry.getValue().p50());
            figures.put("p99_ms", entry.getValue().p99());
            figures.put("max_ms", entry.getValue().max());
            feedCapacity.put(entry.getKey(), figures);
        }
        feedCapacity.put("gateway_over_direct", graphQl.perSecond() / grpc.perSecond());
    }

    void phase(String name, double seconds, ProcessSampler.Usage usage) {
        final Map<String, Object> phase = new LinkedHashMap<>();
        phase.put("name", name);
        phase.put("seconds", seconds);
        phase.put("cores", usage.cores());
        phase.put("resident_mib", usage.residentMiB());
        phases.add(phase);
    }

    void workload(OpenLoop.Result result, ProcessSampler.Usage usage) {
        final Map<String, Object> workload = new LinkedHashMap<>();
        workload.put("name", result.name());
        workload.put("offered_per_s", result.offeredPerSecond());
        workload.put("achieved_per_s", result.achievedPerSecond());
        workload.put("ok", result.ok());
        workload.put("failed", result.failed());
        workload.put("error_rate", result.errorRate());
        for (double percentile : new double[] {50, 90, 99, 99.9}) {
            workload.put("p" + (percentile == 99.9 ? "999" : Integer.toString((int) percentile)) + "_ms",
                         result.percentileMillis(percentile));
        }
        workload.put("max_ms", result.latency().getMaxValue() / 1000.0);
        workload.put("failures", result.failures());
        workload.put("cores", usage.cores());
        workload.put("resident_mib", usage.residentMiB());
        workloads.add(workload);
    }

    void reach(String what, Map<String, Object> result) {
        reach.put(what, result);
    }

    /** The highest mix rate whose p99 is within target, with under 1 % errors and 95 % of the offered rate served. */
    private Map<String, Object> knee() {
        Map<String, Object> knee = null;
        for (Map<String, Object> workload : workloads) {
            if (workload.get("name").equals("mix") && (double) workload.get("p99_ms") <= p99TargetMillis
                    && (double) workload.get("error_rate") < 0.01
                    && (double) workload.get("achieved_per_s") >= 0.95 * (double) workload.get("offered_per_s")) {
                knee = workload;
            }
        }
        return knee;
    }

    private Map<String, Object> ratios() {
        final Map<String, Object> ratios = new LinkedHashMap<>();
        final double floorP50 = (double) floor.getOrDefault("feed_round_trips_p50_ms", 0.0);
        final double floorRate = (double) floor.getOrDefault("feed_round_trips_per_s", 0.0);
        for (Map<String, Object> workload : workloads) {
            if (workload.get("name").toString().startsWith("feed") && floorP50 > 0) {
                ratios.put(workload.get("name") + ": p50 / floor p50", (double) workload.get("p50_ms") / floorP50);
            }
        }
        final Map<String, Object> knee = knee();
        if (knee != null && floorRate > 0) {
            ratios.put("mix knee rate / floor feed round trips per s", (double) knee.get("offered_per_s") / floorRate);
        }
        return ratios;
    }

    void write(Path directory, double totalSeconds) throws IOException {
        final Map<String, Object> report = new LinkedHashMap<>();
        report.put("plan", plan);
        report.put("finished_at", Instant.now().toString());
        report.put("total_seconds", totalSeconds);
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("load_average_at_start", loadAverageAtStart);
        report.put("load_average_at_end", loadAverage());
        report.put("p99_target_ms", p99TargetMillis);
        report.put("world", world);
        report.put("floor", floor);
        report.put("knee", knee());
        report.put("feed_capacity_closed_loop_8_clients", feedCapacity);
        report.put("ratios", ratios());
        report.put("reach", reach);
        report.put("workloads", workloads);
        report.put("phases", phases);
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("load-" + plan + ".json"), JSON.writeValueAsString(report));
        Files.writeString(directory.resolve("load-" + plan + ".html"), html(report));
        System.out.println();
        System.out.println(headline());
        System.out.printf("report: %s and %s (%.0f s in all)%n", directory.resolve("load-" + plan + ".json"),
                          directory.resolve("load-" + plan + ".html"), totalSeconds);
    }

    /** The headline table, as Markdown (printed, and in the page). */
    String headline() {
        final StringBuilder table = new StringBuilder("| workload | offered/s | ok/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> workload : workloads) {
            table.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f | %.1f | %.1f | %.2f %% |%n", workload.get("name"),
                                       workload.get("offered_per_s"), workload.get("achieved_per_s"), workload.get("p50_ms"),
                                       workload.get("p99_ms"), 100 * (double) workload.get("error_rate")));
        }
        table.append(String.format(Locale.ROOT, "| floor: feed's Redis + memcached round trips (closed loop, 8 clients) | — | %.0f | %.2f | %.2f | — |%n",
                                   floor.get("feed_round_trips_per_s"), floor.get("feed_round_trips_p50_ms"), floor.get("feed_round_trips_p99_ms")));
        table.append(String.format(Locale.ROOT, "| floor: fan-out EVALSHA, redis-benchmark pipelined | — | %.0f | — | — | — |%n",
                                   floor.get("fan_out_evalsha_pipelined_per_s")));
        if (!feedCapacity.isEmpty()) {
            for (String path : List.of("graphql_through_gateway", "grpc_feed_service")) {
                final Map<?, ?> figures = (Map<?, ?>) feedCapacity.get(path);
                table.append(String.format(Locale.ROOT, "| feed capacity, %s (closed loop, 8 clients) | — | %.0f | %.1f | %.1f | — |%n",
                        path.replace('_', ' '), figures.get("per_s"), figures.get("p50_ms"), figures.get("p99_ms")));
            }
        }
        final Map<String, Object> knee = knee();
        table.append("\nknee of the mix (p99 ≤ ").append((int) p99TargetMillis).append(" ms): ")
             .append(knee == null ? "none of the rates tried" : String.format(Locale.ROOT, "%.0f requests/s", knee.get("offered_per_s")))
             .append('\n');
        reach.forEach((what, result) -> table.append(String.format(Locale.ROOT, "post seen by followers, %s: %s%n", what, result)));
        ratios().forEach((what, ratio) -> table.append(String.format(Locale.ROOT, "ratio, %s: %.3g%n", what, ratio)));
        return table.toString();
    }

    // --- the page ------------------------------------------------------------------------------------------------

    private String html(Map<String, Object> report) throws IOException {
        final StringBuilder page = new StringBuilder();
        page.append("<!doctype html><html lang=en><meta charset=utf-8><title>Pinhole load benchmark (").append(plan)
            .append(")</title><style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}"
                    + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
                    + "svg{margin:1em 0;background:#fafafa}pre{background:#f4f4f4;padding:1em;overflow:auto}</style>");
        page.append("<h1>Pinhole load benchmark — ").append(plan).append("</h1><p>").append(report.get("finished_at"))
            .append(" · ").append(report.get("cores")).append(" cores · load average ")
            .append(String.format(Locale.ROOT, "%.2f → %.2f", report.get("load_average_at_start"), report.get("load_average_at_end")))
            .append(" · world: ").append(escape(world.toString())).append("</p>");
        page.append("<h2>Workloads (open loop, latency from the intended start)</h2><table><tr><th>workload<th>offered/s<th>ok/s"
                    + "<th>p50 ms<th>p90 ms<th>p99 ms<th>p99.9 ms<th>max ms<th>errors</tr>");
        for (Map<String, Object> workload : workloads) {
            page.append(String.format(Locale.ROOT, "<tr><td>%s<td>%.0f<td>%.1f<td>%.1f<td>%.1f<td>%.1f<td>%.1f<td>%.1f<td>%.2f %%</tr>",
                    escape(workload.get("name").toString()), workload.get("offered_per_s"), workload.get("achieved_per_s"),
                    workload.get("p50_ms"), workload.get("p90_ms"), workload.get("p99_ms"), workload.get("p999_ms"),
                    workload.get("max_ms"), 100 * (double) workload.get("error_rate")));
        }
        page.append("</table><pre>").append(escape(headline())).append("</pre>");

        final List<Map<String, Object>> sweep = workloads.stream().filter(w -> w.get("name").equals("mix")).toList();
        final List<String> rates = sweep.stream().map(w -> String.format(Locale.ROOT, "%.0f/s", w.get("offered_per_s"))).toList();
        final Map<String, List<Double>> percentiles = new LinkedHashMap<>();
        for (String p : List.of("p50_ms", "p90_ms", "p99_ms")) {
            percentiles.put(p.replace("_ms", ""), sweep.stream().map(w -> (double) w.get(p)).toList());
        }
        percentiles.put("p99 target", sweep.stream().map(w -> p99TargetMillis).toList());
        page.append("<h2>Mix: latency over offered rate</h2>").append(lines("ms", rates, percentiles));
        final Map<String, List<Double>> throughput = new LinkedHashMap<>();
        throughput.put("offered", sweep.stream().map(w -> (double) w.get("offered_per_s")).toList());
        throughput.put("served (ok)", sweep.stream().map(w -> (double) w.get("achieved_per_s")).toList());
        page.append("<h2>Mix: throughput</h2>").append(bars("requests/s", rates, throughput));

        final Map<String, Object> ratios = ratios();
        page.append("<h2>Ratios to the floor</h2>").append(bars("×", new ArrayList<>(ratios.keySet()),
                Map.of("ratio", ratios.values().stream().map(v -> (double) v).toList())));

        final List<String> names = new ArrayList<>();
        final Set<String> processes = new LinkedHashSet<>();
        final List<Map<String, Object>> all = new ArrayList<>(phases);
        all.addAll(workloads);
        for (Map<String, Object> run : all) {
            names.add(run.get("name") + (run.containsKey("offered_per_s") ? String.format(Locale.ROOT, " %.0f/s", run.get("offered_per_s")) : ""));
            @SuppressWarnings("unchecked") final Map<String, Double> cores = (Map<String, Double>) run.get("cores");
            processes.addAll(cores.keySet());
        }
        final Map<String, List<Double>> cpu = new LinkedHashMap<>();
        final Map<String, List<Double>> memory = new LinkedHashMap<>();
        for (String process : processes) {
            cpu.put(process, all.stream().map(run -> ((Map<?, ?>) run.get("cores")).containsKey(process)
                    ? (Double) ((Map<?, ?>) run.get("cores")).get(process) : 0.0).toList());
            memory.put(process, all.stream().map(run -> ((Map<?, ?>) run.get("resident_mib")).containsKey(process)
                    ? (Double) ((Map<?, ?>) run.get("resident_mib")).get(process) : 0.0).toList());
        }
        page.append("<h2>CPU per process (cores used on average, stacked)</h2>").append(stacked("cores", names, cpu));
        page.append("<h2>Resident memory per process at the end of each phase (MiB, stacked)</h2>").append(stacked("MiB", names, memory));
        page.append("<h2>Everything</h2><pre>").append(escape(JSON.writeValueAsString(report))).append("</pre></html>\n");
        return page.toString();
    }

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 320;
    private static final int LEFT = 70;
    private static final int BOTTOM = 90;

    private static String lines(String unit, List<String> labels, Map<String, List<Double>> series) {
        final double max = nice(series.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).max().orElse(1));
        final StringBuilder svg = frame(unit, labels, max);
        int color = 0;
        for (Map.Entry<String, List<Double>> line : series.entrySet()) {
            final StringBuilder points = new StringBuilder();
            for (int i = 0; i < line.getValue().size(); i++) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(i, labels.size()), y(line.getValue().get(i), max)));
            }
            svg.append(String.format("<polyline fill=none stroke='%s' stroke-width=2 points='%s'/>", COLORS[color % COLORS.length], points));
            legend(svg, color++, line.getKey());
        }
        return svg.append("</svg>").toString();
    }

    private static String bars(String unit, List<String> labels, Map<String, List<Double>> series) {
        final double max = nice(series.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).max().orElse(1));
        final StringBuilder svg = frame(unit, labels, max);
        final double slot = (WIDTH - LEFT - 20.0) / Math.max(1, labels.size());
        final double bar = slot * 0.8 / Math.max(1, series.size());
        int color = 0;
        for (Map.Entry<String, List<Double>> values : series.entrySet()) {
            for (int i = 0; i < values.getValue().size(); i++) {
                final double top = y(values.getValue().get(i), max);
                svg.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'><title>%s %.2f</title></rect>",
                        LEFT + slot * i + slot * 0.1 + bar * color, top, bar, HEIGHT - BOTTOM - top, COLORS[color % COLORS.length],
                        escape(values.getKey()), values.getValue().get(i)));
            }
            legend(svg, color++, values.getKey());
        }
        return svg.append("</svg>").toString();
    }

    private static String stacked(String unit, List<String> labels, Map<String, List<Double>> series) {
        final double[] totals = new double[labels.size()];
        series.values().forEach(values -> {
            for (int i = 0; i < values.size(); i++) {
                totals[i] += values.get(i);
            }
        });
        final double max = nice(java.util.Arrays.stream(totals).max().orElse(1));
        final StringBuilder svg = frame(unit, labels, max);
        final double slot = (WIDTH - LEFT - 20.0) / Math.max(1, labels.size());
        final double[] base = new double[labels.size()];
        int color = 0;
        for (Map.Entry<String, List<Double>> values : series.entrySet()) {
            for (int i = 0; i < values.getValue().size(); i++) {
                final double bottom = y(base[i], max);
                base[i] += values.getValue().get(i);
                final double top = y(base[i], max);
                svg.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'><title>%s %.2f</title></rect>",
                        LEFT + slot * i + slot * 0.1, top, slot * 0.8, bottom - top, COLORS[color % COLORS.length],
                        escape(values.getKey()), values.getValue().get(i)));
            }
            legend(svg, color++, values.getKey());
        }
        return svg.append("</svg>").toString();
    }

    private static StringBuilder frame(String unit, List<String> labels, double max) {
        final StringBuilder svg = new StringBuilder(String.format(
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-size='11'>", WIDTH + 220, HEIGHT));
        for (int tick = 0; tick <= 4; tick++) {
            final double value = max * tick / 4;
            svg.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#ddd'/><text x='%d' y='%.1f' text-anchor=end>%s</text>",
                    LEFT, WIDTH - 20, y(value, max), y(value, max), LEFT - 6, y(value, max) + 4, format(value)));
        }
        svg.append(String.format("<text x='10' y='14'>%s</text>", escape(unit)));
        for (int i = 0; i < labels.size(); i++) {
            svg.append(String.format(Locale.ROOT, "<text transform='translate(%.1f,%d) rotate(30)'>%s</text>",
                    x(i, labels.size()) - 10, HEIGHT - BOTTOM + 14, escape(labels.get(i))));
        }
        return svg;
    }

    private static void legend(StringBuilder svg, int index, String name) {
        svg.append(String.format("<rect x='%d' y='%d' width='10' height='10' fill='%s'/><text x='%d' y='%d'>%s</text>",
                WIDTH + 5, 20 + 16 * index, COLORS[index % COLORS.length], WIDTH + 20, 29 + 16 * index, escape(name)));
    }

    private static double x(int index, int count) {
        final double slot = (WIDTH - LEFT - 20.0) / Math.max(1, count);
        return LEFT + slot * index + slot / 2;
    }

    private static double y(double value, double max) {
        return HEIGHT - BOTTOM - (HEIGHT - BOTTOM - 20) * Math.min(value, max) / max;
    }

    /** A round axis maximum at or above {@code value}. */
    private static double nice(double value) {
        if (value <= 0) {
            return 1;
        }
        final double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
