# String equality; same work and output as ../wren/string_equals.wren.


def main():
    base = "the quick brown fox jumps over the lazy dog"
    # Built at run time so it is a different object from `base`.
    same = "".join(["the quick brown fox ", "jumps over the lazy dog"])
    late = "the quick brown fox jumps over the lazy doe"
    short = "the quick brown fox"
    empty = ""

    equal = 0
    unequal = 0
    for _ in range(2000000):
        if base == base: equal += 1
        if base == same: equal += 1
        if base == late: equal += 1
        else: unequal += 1
        if base == short: equal += 1
        else: unequal += 1
        if short != base: unequal += 1
        if empty == "": equal += 1
        if base == 42: equal += 1
        else: unequal += 1
        if "abc" == "abc": equal += 1
    print(f"equal: {equal}, unequal: {unequal}")


main()
