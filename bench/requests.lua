-- wrk script: send the requests listed in a file, round-robin, and print a JSON summary.
--
--   wrk -t1 -c32 -d8s -s bench/requests.lua http://127.0.0.1:PORT -- REQUESTS.tsv THREADS
--
-- Each line of REQUESTS.tsv is  METHOD <tab> PATH <tab> AUTHORIZATION <tab> BODY
-- (AUTHORIZATION and BODY may be empty). Each wrk thread starts at its own
-- offset in the list so that threads do not send the same request together.

local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local reqs, n, i = {}, 0, 0

function init(args)
  local threads = tonumber(args[2]) or 1
  for line in io.lines(args[1]) do
    local method, path, auth, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if method then
      local headers = {["Content-Type"] = "application/json"}
      if auth ~= "" then headers["Authorization"] = auth end
      if body == "" then body = nil end
      reqs[#reqs + 1] = wrk.format(method, path, headers, body)
    end
  end
  n = #reqs
  i = math.floor((tid or 0) * n / threads)
end

function request()
  i = i % n + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
