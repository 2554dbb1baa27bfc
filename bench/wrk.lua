-- wrk script for `make bench`. Configured through the environment:
--   BENCH_PATHS   file of request paths, one per line, taken in turn (each thread its own share)
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    form body for POSTs, e.g. "status=ok"
--   BENCH_COOKIE  Cookie header (a signed-in session, the CSRF cookie)
--   BENCH_CSRF    X-CSRFToken header for POSTs
--   BENCH_HTMX    "1" to send HX-Request (ticks answer with just the row)
--   BENCH_IF_NONE_MATCH  an ETag to revalidate with (the page answers 304 Not Modified)
--   BENCH_WRAP    "0" to never reuse a path (the soak ticks each check once)
--   BENCH_THREADS the -t given to wrk (each thread's Lua state cannot see the others)
-- done() prints one line of JSON with the counts and latency percentiles (microseconds).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  method = os.getenv("BENCH_METHOD") or "GET"
  body = os.getenv("BENCH_BODY")
  wrap = os.getenv("BENCH_WRAP") ~= "0"
  headers = { ["Accept-Encoding"] = "gzip" }
  if os.getenv("BENCH_COOKIE") then headers["Cookie"] = os.getenv("BENCH_COOKIE") end
  if os.getenv("BENCH_CSRF") then headers["X-CSRFToken"] = os.getenv("BENCH_CSRF") end
  if os.getenv("BENCH_HTMX") == "1" then headers["HX-Request"] = "true" end
  if os.getenv("BENCH_IF_NONE_MATCH") then
    headers["If-None-Match"] = os.getenv("BENCH_IF_NONE_MATCH")
  end
  if method == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  sent, ok, bad, exhausted = 0, 0, 0, 0
end

function request()
  -- Threads interleave: thread t takes paths t, t + n, t + 2n, ...
  local index = id + sent * nthreads + 1
  sent = sent + 1
  if index > #paths then
    if not wrap then exhausted = exhausted + 1 end
    index = (index - 1) % #paths + 1
  end
  return wrk.format(method, paths[index], headers, body)
end

function response(status, response_headers, response_body)
  if status >= 200 and status < 400 then ok = ok + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local sent_total, ok_total, bad_total, exhausted_total = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    sent_total = sent_total + thread:get("sent")
    ok_total = ok_total + thread:get("ok")
    bad_total = bad_total + thread:get("bad")
    exhausted_total = exhausted_total + thread:get("exhausted")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "sent": %d, "ok": %d, "bad_status": %d, '
      .. '"socket_errors": %d, "timeouts": %d, "exhausted": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, sent_total, ok_total, bad_total,
    errors.connect + errors.read + errors.write, errors.timeout, exhausted_total,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max
  ))
end
