-- wrk script: cycle through the paths in $LOADTEST_PATHS (one a line) with the session cookie.
local paths = {}
for line in io.lines(os.getenv("LOADTEST_PATHS")) do paths[#paths + 1] = line end
local cookie = "sessionid=" .. os.getenv("LOADTEST_SESSION")
local counter = 0

function setup(thread)
  thread:set("offset", #paths // 2 * (counter % 2))
  counter = counter + 1
end

function init(args)
  n = offset or 0
end

function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n], { ["Cookie"] = cookie, ["Host"] = "127.0.0.1" })
end
