System.print([1, 2, 3, 4].reduce {|acc, n| acc + n }) // expect: 10
System.print([1, 2, 3, 4].reduce(100) {|acc, n| acc + n }) // expect: 110
System.print([].reduce("seed") {|acc, n| acc + n }) // expect: seed
System.print(["a"].reduce {|acc, n| acc + "!" }) // expect: a
System.print((1..5).reduce {|a, b| a * b }) // expect: 120
System.print(["x", "y", "z"].reduce("") {|acc, s| s + acc }) // expect: zyx

System.print([1, 2, 3].join()) // expect: 123
System.print([1, 2, 3].join(", ")) // expect: 1, 2, 3
System.print([].join(",")) // expect:
System.print([null, true, [1]].join("|")) // expect: null|true|[1]
System.print((1..3).join("-")) // expect: 1-2-3
System.print("abc".join(".")) // expect: a.b.c
