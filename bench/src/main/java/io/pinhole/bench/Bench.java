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
 * [rate] [seconds]} runs {@link EventPipelineBenchmark}; {@code identity [clients] [seconds]} runs {@link IdentityBenchmark}; {@code media [clients] [seconds]} runs {@link MediaBenchmark}; {@code gateway [clients] [seconds]} runs {@link GatewayBenchmark}; {@code geo [clients] [seconds]} runs {@link GeoBenchmark}; {@code notify [clients] [seconds] [events]} runs {@link NotifyBenchmark}. Results are
 * printed and written as JSON under {@code bench/reports/}.
 */
public final class Bench {

    private Bench() {}

    public static void main(String[] args) throws Exception {
        final String what = args.length > 0 ? args[0] : "--full";
        switch (what) {
            case "--quick", "--full" -> LoadBenchmark.run(what.equals("--quick"));
            case "ids" -> ids(args.length > 1 ? Integer.parseInt(args[1]) : 4);
            case "events" -> {
                EventPipelineBenchmark.run(args.length > 1 ? Integer.parseInt(args[1]) : 500,
                                           args.length > 2 ? Integer.parseInt(args[2]) : 20);
                System.exit(0);
            }
            case "identity" -> {
                IdentityBenchmark.run(args.length > 1 ? Integer.parseInt(args[1]) : 8,
                                      args.length > 2 ? Integer.parseInt(args[2]) : 10);
                System.exit(0);
            }
            case "feed" -> {
                FeedBenchmark.run(args.length > 1 ? Integer.parseInt(args[1]) : 4,
                                  args.length > 2 ? Integer.parseInt(args[2]) : 10,
                                  args.length > 3 ? Integer.parseInt(args[3]) : 100_000);
                System.exit(0);
            }
            case "media" -> {
                MediaBenchmark.run(args.length > 1 ? Integer.parseInt(args[1]) : 4,
                                   args.length > 2 ? Integer.parseInt(args[2]) : 10);
                System.exit(0);
            }
            case "gateway" -> {
                GatewayBenchmark.run(args.length > 1 ? Integer.parseInt(args[1]) : 4,
                                     args.length > 2 ? Integer.parseInt(args[2]) : 10);
                System.exit(0);
            }
            case "geo" -> {
                GeoBenchmark.run(args.length > 1 ? Integer.parseInt(args[1]) : 4,
                                 args.length > 2 ? Integer.parseInt(args[2]) : 10);
                System.exit(0);
            }
            case "notify" -> {
                NotifyBenchmark.run(args.length > 1 ? Integer.parseInt(args[1]) : 4,
                                    args.length > 2 ? Integer.parseInt(args[2]) : 10,
                                    args.length > 3 ? Integer.parseInt(args[3]) : 5_000);
                System.exit(0);
            }
            default -> {
                System.err.println("usage: ./pinhole bench [--quick|--full] | ids [threads] | events [rate/s] [seconds] | identity [clients] [seconds] | media [clients] [seconds] | feed [clients] [seconds] [followers] | gateway [clients] [seconds] | geo [clients] [seconds] | notify [clients] [seconds] [events]   (unknown: " + Arrays.toString(args) + ")");
                System.exit(2);
            }
        }
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
