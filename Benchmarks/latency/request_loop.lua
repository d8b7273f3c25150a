-- The request loop of request_loop.wren in Lua 5.4 (issue 16): builds N
-- entries, then serves 2000 requests of 500 small tables and strings each,
-- storing one of them into an old entry. Prints the same lines as the Wren
-- program. Usage: lua5.4 request_loop.lua N
--
-- Lua 5.4's standard library has no wall clock finer than a second (os.clock
-- is processor time). LuaSocket's socket.gettime (gettimeofday, microseconds;
-- Debian: apt-get install lua-socket) is used when it is installed; without
-- it the program falls back to os.clock and says so on stderr.
local ok, socket = pcall(require, "socket")
local clock
if ok and socket.gettime then
  clock = socket.gettime
  io.stderr:write("clock: socket.gettime (wall)\n")
else
  clock = os.clock
  io.stderr:write("clock: os.clock (processor time, not wall)\n")
end

local data = {}

local function build(n)
  local pad = string.rep("x", 100)
  for i = 0, n - 1 do data[#data + 1] = {pad .. tostring(i), i} end
end

local function ms(s) return math.floor(s * 1e6 + 0.5) / 1e3 end

local function serve(requests)
  print("serving")
  local times = {}
  local count = #data
  for r = 0, requests - 1 do
    local start = clock()
    local tmp = {}
    for k = 0, 499 do tmp[#tmp + 1] = {k, "req " .. r .. " " .. k} end
    data[(r * 7919) % count + 1][2] = tmp[r % 500 + 1]
    times[#times + 1] = clock() - start
  end
  table.sort(times)
  print(string.format("requests p50 %s p99 %s max %s ms",
    ms(times[requests // 2 + 1]), ms(times[requests * 99 // 100 + 1]), ms(times[#times])))
  local nums, lists = 0, 0
  for _, e in ipairs(data) do
    if type(e[2]) == "number" then
      nums = nums + e[2]
    else
      lists = lists + e[2][1]
    end
  end
  print(string.format("result %d %d %d", #data, nums, lists))
end

build(tonumber(arg[1]))
serve(2000)
