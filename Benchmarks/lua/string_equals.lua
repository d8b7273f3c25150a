-- String equality; same work and output as ../wren/string_equals.wren.
-- (Lua interns short strings, so most comparisons are pointer compares.)

local base = "the quick brown fox jumps over the lazy dog"
local same = "the quick brown fox " .. "jumps over the lazy dog"
local late = "the quick brown fox jumps over the lazy doe"
local short = "the quick brown fox"
local empty = ""

local equal = 0
local unequal = 0
for i = 1, 2000000 do
  if base == base then equal = equal + 1 end
  if base == same then equal = equal + 1 end
  if base == late then equal = equal + 1 else unequal = unequal + 1 end
  if base == short then equal = equal + 1 else unequal = unequal + 1 end
  if short ~= base then unequal = unequal + 1 end
  if empty == "" then equal = equal + 1 end
  if base == 42 then equal = equal + 1 else unequal = unequal + 1 end
  if "abc" == "abc" then equal = equal + 1 end
end
print(string.format("equal: %d, unequal: %d", equal, unequal))
