-- wrk script of bench/web.py: cycles through the request paths listed in the file named by the
-- first script argument (one a line), and prints one machine-readable line when done.
local requests = {}
local next_index = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      requests[#requests + 1] = wrk.format("GET", line)
    end
  end
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
