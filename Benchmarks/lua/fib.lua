-- Recursive Fibonacci; same work and output as ../wren/fib.wren.

local Fib = {}

function Fib.of(n)
  if n < 2 then return n end
  return Fib.of(n - 1) + Fib.of(n - 2)
end

local total = 0
for round = 1, 12 do
  local value = Fib.of(28)
  total = total + value
  if round == 1 then print("fib(28) = " .. value) end
end
print("total after 12 rounds: " .. total)
