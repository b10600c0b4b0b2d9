-- wrk prints this one line at the end of a run; bench/load.py parses it.
-- Latencies are in microseconds; "errors" counts HTTP statuses >= 400 and socket errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d errors=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.status + e.connect + e.read + e.write + e.timeout))
end
