# Numeric dict keys; same work and output as ../wren/map_numeric.wren.


def main():
    n = 300000
    table = {}

    for i in range(1, n + 1):
        table[i] = i * 2

    total = 0
    for i in range(1, n + 1):
        total += table[i]
    missing = 0
    for i in range(n + 1, 2 * n + 1):
        if table.get(i) is None:
            missing += 1
    print(f"sum: {total}, missing: {missing}, count: {len(table)}")

    for i in range(1, 1001):
        table[i + 0.5] = i
    halves = 0
    for i in range(1, 1001):
        halves += table[i + 0.5]
    print(f"halves: {halves}, count: {len(table)}")

    for i in range(2, n + 1):
        if i % 2 == 0:
            table[i] = -1
    removed = 0
    i = 1
    while i <= n:
        removed += table.pop(i, None)
        i += 2
    kept = 0
    for i in range(1, n + 1):
        if i in table:
            kept += table[i]
    print(f"removed: {removed}, kept: {kept}, count: {len(table)}")


main()
