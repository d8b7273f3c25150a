System.print("foo" + "bar") // expect: foobar
System.print("" + "") // expect:
System.print("ab" * 3) // expect: ababab
System.print("ab" * 0) // expect:
System.print(("-" * 10).count) // expect: 10
System.print("é" * 2) // expect: éé
var s = "a"
s = s + 1.toString
System.print(s) // expect: a1
System.print("x" + "%(2 + 2)") // expect: x4
System.print("abc" == "abc") // expect: true
System.print("abc" != "abd") // expect: true
System.print("abc" == "ABC") // expect: false
