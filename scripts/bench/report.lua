-- wrk script: optional JSON POST body rotation (INTAKE=1) and a one-line JSON summary with p95/p99.
local intake = os.getenv("INTAKE") == "1"
local types = {"LR", "LT", "ZD", "XGG", "HJ", "LDD", "LTH", "JG"}
local pool = {}
local pos = 0
-- Each thread formats its request bodies once, in init, and then cycles through them: wrk shares the machine's two
-- cores with the server it measures, so its own work per request should be as little as possible.
-- The 4,000 bodies per thread differ in type, text, address and position; nothing in the API needs them unique.
local get
init = function(args)
  get = wrk.format("GET")
  if not intake then return end
  -- wrk.format replaces the -H headers when given a table, so they are copied in.
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Content-Type"] = "application/json"
  local base = math.random(0, 1000000)
  for i = 1, 4000 do
    local n = base + i
    local body = string.format('{"type":"%s","description":"压测上报 %d：路边垃圾未清理","address":"湖滨路 %d 号","latitude":30.6%04d,"longitude":104.0%04d}',
      types[(n % #types) + 1], n, n % 300, n % 9999, (n * 7) % 9999)
    pool[i] = wrk.format("POST", nil, h, body)
  end
end
request = function()
  if intake then
    pos = pos % #pool + 1
    return pool[pos]
  end
  return get
end
done = function(summary, latency, requests)
  local errs = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('RESULT {"requests":%d,"seconds":%.3f,"non2xx":%d,"socket_errors":%d,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
