-- wrk script: cycle through the paths in $LOADTEST_PATHS (one a line) with the session cookie;
-- print how many answers were not 200 (wrk itself counts only 4xx/5xx as errors).
local paths = {}
for line in io.lines(os.getenv("LOADTEST_PATHS")) do paths[#paths + 1] = line end
local cookie = "sessionid=" .. os.getenv("LOADTEST_SESSION")
local threads = {}

function setup(thread)
  thread:set("start", #threads * 7)
  table.insert(threads, thread)
end

function init(args)
  n = start or 0
  not_ok = 0
end

function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n], { ["Cookie"] = cookie, ["Host"] = "127.0.0.1" })
end

function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_ok") end
  io.write(string.format("Not 200: %d\n", total))
end
