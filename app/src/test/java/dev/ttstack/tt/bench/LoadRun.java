package dev.ttstack.tt.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one operation from N client threads for a fixed time and measures each call. Bounded: stops
 * at the deadline (or after a maximum number of calls per client), whatever happens.
 */
final class LoadRun {

  /** One client's operation; returns false when the call failed (it is then counted, not timed). */
  interface Operation {
    boolean call(int client, long sequence) throws Exception;
  }

  /** Throughput and latency percentiles of one run. */
  record Result(
      int clients,
      long calls,
      long errors,
      double seconds,
      double p50Millis,
      double p99Millis,
      double maxMillis) {

    double perSecond() {
      return calls / seconds;
    }
  }

  private LoadRun() {}

  static Result run(int clients, double seconds, long maxCallsPerClient, Operation operation)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    try {
      List<Future<long[]>> futures = new ArrayList<>();
      long[] errors = new long[clients];
      for (int c = 0; c < clients; c++) {
        int client = c;
        futures.add(
            pool.submit(
                () -> {
                  long[] latencies = new long[1024];
                  int n = 0;
                  for (long seq = 0;
                      seq < maxCallsPerClient && System.nanoTime() < deadline;
                      seq++) {
                    long t0 = System.nanoTime();
                    boolean ok = operation.call(client, seq);
                    long took = System.nanoTime() - t0;
                    if (!ok) {
                      errors[client]++;
                      continue;
                    }
                    if (n == latencies.length) {
                      latencies = Arrays.copyOf(latencies, n * 2);
                    }
                    latencies[n++] = took;
                  }
                  return Arrays.copyOf(latencies, n);
                }));
      }
      List<long[]> all = new ArrayList<>();
      for (Future<long[]> f : futures) {
        all.add(f.get());
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      return new Result(
          clients,
          merged.length,
          Arrays.stream(errors).sum(),
          elapsed,
          percentile(merged, 0.50),
          percentile(merged, 0.99),
          merged.length == 0 ? 0 : merged[merged.length - 1] / 1e6);
    } finally {
      pool.shutdownNow();
    }
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }
}
