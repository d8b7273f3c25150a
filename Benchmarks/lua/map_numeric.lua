-- Numeric table keys; same work and output as ../wren/map_numeric.wren.
-- Lua tables have no count, so one is kept alongside.

local n = 300000
local map = {}
local count = 0

local function put(key, value)
  if map[key] == nil then count = count + 1 end
  map[key] = value
end

local function remove(key)
  local value = map[key]
  if value ~= nil then
    map[key] = nil
    count = count - 1
  end
  return value
end

for i = 1, n do put(i, i * 2) end

local sum = 0
for i = 1, n do sum = sum + map[i] end
local missing = 0
for i = n + 1, 2 * n do
  if map[i] == nil then missing = missing + 1 end
end
print(string.format("sum: %d, missing: %d, count: %d", sum, missing, count))

for i = 1, 1000 do put(i + 0.5, i) end
local halves = 0
for i = 1, 1000 do halves = halves + map[i + 0.5] end
print(string.format("halves: %d, count: %d", halves, count))

for i = 2, n do
  if i % 2 == 0 then put(i, -1) end
end
local removed = 0
local i = 1
while i <= n do
  removed = removed + remove(i)
  i = i + 2
end
local kept = 0
for i = 1, n do
  if map[i] ~= nil then kept = kept + map[i] end
end
print(string.format("removed: %d, kept: %d, count: %d", removed, kept, count))
