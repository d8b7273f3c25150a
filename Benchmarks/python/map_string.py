# String dict keys; same work and output as ../wren/map_string.wren.


def main():
    n = 100000
    keys = []
    for i in range(n):
        keys.append("key-" + str(i))

    table = {}
    for i in range(n):
        table[keys[i]] = i

    total = 0
    for _ in range(3):
        for key in keys:
            total += table[key]
    print(f"sum: {total}, count: {len(table)}")

    found = 0
    absent = 0
    for i in range(n):
        if f"key-{i}" in table:
            found += 1
        if f"kez-{i}" not in table:
            absent += 1
    print(f"found: {found}, absent: {absent}")

    removed = 0
    for i in range(n):
        if i % 2 == 0:
            removed += table.pop(keys[i])
    left = 0
    for key in keys:
        if key in table:
            left += 1
    print(f"removed: {removed}, left: {left}, count: {len(table)}")


main()
