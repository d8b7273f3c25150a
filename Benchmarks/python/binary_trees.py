# Binary trees; same work and output as ../wren/binary_trees.wren.


class Node:
    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right

    @staticmethod
    def build(depth):
        if depth == 0:
            return Node(None, None)
        return Node(Node.build(depth - 1), Node.build(depth - 1))

    def check(self):
        if self.left is None:
            return 1
        return 1 + self.left.check() + self.right.check()


def main():
    min_depth = 4
    max_depth = 14
    stretch_depth = max_depth + 1

    print(f"stretch tree of depth {stretch_depth}\t check: {Node.build(stretch_depth).check()}")

    long_lived = Node.build(max_depth)

    depth = min_depth
    while depth <= max_depth:
        iterations = 1 << (max_depth - depth + min_depth)
        check = 0
        for _ in range(iterations):
            check += Node.build(depth).check()
        print(f"{iterations}\t trees of depth {depth}\t check: {check}")
        depth += 2

    print(f"long lived tree of depth {max_depth}\t check: {long_lived.check()}")


main()
