# Sum over a loop over a list; same work and output as ../wren/for.wren.


def main():
    numbers = []
    for i in range(1000000):
        numbers.append(i)

    total = 0
    for _ in range(8):
        for n in numbers:
            total = total + n
    print(f"sum of 8 passes: {total}")

    weighted = 0
    for i in range(len(numbers)):
        if i % 3 == 0:
            weighted = weighted + numbers[i]
    print(f"every third: {weighted}")
    print(f"count: {len(numbers)}")


main()
