-- Shared by the wrk scenarios of the http benchmark (bench/Feedback.Benchmarks/HttpBenchmark.cs).
-- Every thread counts its answers by status; done() adds them up over the threads and prints one JSON line,
-- prefixed so the runner can tell it from wrk's own summary. Latencies are wrk's, in microseconds.

local threads = {}
local next_id = 0

-- Runs in the main state once per thread, before the thread's init(): gives each thread its own id.
function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

answered_ok = 0      -- 2xx and 3xx
answered_other = 0   -- everything else: 4xx, 5xx, 1xx
first_other = 0      -- the first such status, to say what went wrong

function count(status)
   if status >= 200 and status < 400 then
      answered_ok = answered_ok + 1
   else
      answered_other = answered_other + 1
      if first_other == 0 then first_other = status end
   end
end

function done(summary, latency, requests)
   local ok, other, first = 0, 0, 0
   for _, thread in ipairs(threads) do
      ok = ok + thread:get("answered_ok")
      other = other + thread:get("answered_other")
      if first == 0 then first = thread:get("first_other") end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH-WRK {"requests":%d,"durationUs":%d,"bytes":%d,"ok":%d,"other":%d,"firstOther":%d,' ..
      '"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
      '"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f}\n',
      summary.requests, summary.duration, summary.bytes, ok, other, first,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
