-- String table keys; same work and output as ../wren/map_string.wren.
-- Lua tables have no count, so one is kept alongside.

local n = 100000
local keys = {}
for i = 0, n - 1 do keys[#keys + 1] = "key-" .. i end

local map = {}
local count = 0
for i = 0, n - 1 do
  local key = keys[i + 1]
  if map[key] == nil then count = count + 1 end
  map[key] = i
end

local sum = 0
for round = 1, 3 do
  for _, key in ipairs(keys) do sum = sum + map[key] end
end
print(string.format("sum: %d, count: %d", sum, count))

local found = 0
local absent = 0
for i = 0, n - 1 do
  if map["key-" .. i] ~= nil then found = found + 1 end
  if map["kez-" .. i] == nil then absent = absent + 1 end
end
print(string.format("found: %d, absent: %d", found, absent))

local removed = 0
for i = 0, n - 1 do
  if i % 2 == 0 then
    local key = keys[i + 1]
    local value = map[key]
    if value ~= nil then
      removed = removed + value
      map[key] = nil
      count = count - 1
    end
  end
end
local left = 0
for _, key in ipairs(keys) do
  if map[key] ~= nil then left = left + 1 end
end
print(string.format("removed: %d, left: %d, count: %d", removed, left, count))
