# Recursive Fibonacci; same work and output as ../wren/fib.wren.


class Fib:
    @staticmethod
    def of(n):
        if n < 2:
            return n
        return Fib.of(n - 1) + Fib.of(n - 2)


total = 0
for round in range(1, 13):
    value = Fib.of(28)
    total += value
    if round == 1:
        print(f"fib(28) = {value}")
print(f"total after 12 rounds: {total}")
