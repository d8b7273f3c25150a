-- The "200 MB shape" of the snapshot benchmarks, built cold: a million
-- two-element lists, each holding a string of about 106 bytes and a number.
local data = {}
local pad = string.rep("x", 100)
for i = 0, 999999 do data[#data + 1] = {pad .. tostring(i), i} end
print(#data)
print(#data[1000000][1])
