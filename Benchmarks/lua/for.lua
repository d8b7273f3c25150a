-- Sum over a loop over a list; same work and output as ../wren/for.wren.

local numbers = {}
for i = 0, 999999 do numbers[#numbers + 1] = i end

local sum = 0
for pass = 1, 8 do
  for _, n in ipairs(numbers) do sum = sum + n end
end
print("sum of 8 passes: " .. sum)

local weighted = 0
for i = 0, #numbers - 1 do
  if i % 3 == 0 then weighted = weighted + numbers[i + 1] end
end
print("every third: " .. weighted)
print("count: " .. #numbers)
