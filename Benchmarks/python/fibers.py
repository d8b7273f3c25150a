# Generators standing in for fibers; same work and output as
# ../wren/fibers.wren.


def worker(start):
    acc = start
    for _ in range(5):
        acc = acc + (yield acc)
    return acc


def counter():
    n = 0
    while True:
        n += 1
        yield n


def main():
    fiber_count = 200000
    total = 0
    finished = 0

    for i in range(1, fiber_count + 1):
        fiber = worker(i)
        value = next(fiber)
        while True:
            total += value
            try:
                value = fiber.send(1)
            except StopIteration as done:
                value = done.value
                break
        total += value
        finished += 1
    print(f"fibers: {finished}, total: {total}")

    gen = counter()
    last = 0
    for _ in range(2000000):
        last = next(gen)
    print(f"generator reached: {last}")


main()
