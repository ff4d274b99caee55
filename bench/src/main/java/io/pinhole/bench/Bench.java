package io.pinhole.bench;

import java.util.Arrays;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Entry point of {@code ./pinhole bench}: {@code --quick} or {@code --full} (the default) runs the {@link LoadBenchmark}
 * against the running stack; {@code ids [threads]} runs {@link IdGenerationBenchmark}; {@code events
 * [rate] [seconds]} runs {@link EventPipelineBenchmark}; {@code identity [clients] [seconds]} runs {@link IdentityBenchmark}; {@code media [clients] [seconds]} runs {@link MediaBenchmark}; {@code gateway [clients] [seconds]} runs {@link GatewayBenchmark}; {@code geo [clients] [seconds]} runs {@link GeoBenchmark}; {@code notify [clients] [seconds] [events]} runs {@link NotifyBenchmark}; {@code faults} runs the {@link FaultSuite} against the running stack. Results are
 * printed and written as JSON under {@code bench/reports/}.
 */
public final class Bench {

    private Bench() {}

    public static void main(String[] args) throws Exception {
        final String what = args.length > 0 ? args[0] : "--full";
        switch (what) {
            case "--quick", "--full" -> LoadBenchmark.run(what.equals("--quick"));
            case "ids" -> ids(arg(args, 1, 4));
            case "events" -> EventPipelineBenchmark.run(arg(args, 1, 500), arg(args, 2, 20));
            case "identity" -> IdentityBenchmark.run(arg(args, 1, 8), arg(args, 2, 10));
            case "feed" -> FeedBenchmark.run(arg(args, 1, 4), arg(args, 2, 10), arg(args, 3, 100_000));
            case "media" -> MediaBenchmark.run(arg(args, 1, 4), arg(args, 2, 10));
            case "gateway" -> GatewayBenchmark.run(arg(args, 1, 4), arg(args, 2, 10));
            case "geo" -> GeoBenchmark.run(arg(args, 1, 4), arg(args, 2, 10));
            case "notify" -> NotifyBenchmark.run(arg(args, 1, 4), arg(args, 2, 10), arg(args, 3, 5_000));
            case "faults" -> FaultSuite.run();
            default -> {
                System.err.println("usage: ./pinhole bench [--quick|--full] | ids [threads] | events [rate/s] [seconds] | identity [clients] [seconds] | media [clients] [seconds] | feed [clients] [seconds] [followers] | gateway [clients] [seconds] | geo [clients] [seconds] | notify [clients] [seconds] [events]   (unknown: " + Arrays.toString(args) + ")");
                System.exit(2);
            }
        }
        System.exit(0); // the benchmarks leave client and server threads behind
    }

    /** Argument {@code index} as a number, {@code otherwise} when not given. */
    private static int arg(String[] args, int index, int otherwise) {
        return args.length > index ? Integer.parseInt(args[index]) : otherwise;
    }

    private static void ids(int threads) throws RunnerException {
        new java.io.File("bench/reports").mkdirs();
        final Options options = new OptionsBuilder()
                .include(IdGenerationBenchmark.class.getSimpleName())
                .forks(1)
                .threads(threads)
                .warmupIterations(2).warmupTime(TimeValue.seconds(3))
                .measurementIterations(5).measurementTime(TimeValue.seconds(3))
                .jvmArgsAppend("-Xmx512m")
                .resultFormat(ResultFormatType.JSON)
                .result("bench/reports/id-generation.json")
                .build();
        new Runner(options).run();
    }
}
