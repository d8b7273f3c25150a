System.write("no newline ")
System.write(1)
System.print() // expect: no newline 1
System.print("plain") // expect: plain
System.print(3.5) // expect: 3.5
System.printAll(["a", 1, true]) // expect: a1true
System.writeAll([1, 2, 3])
System.print(" after writeAll") // expect: 123 after writeAll
System.print(System.print("returns its argument")) // expect: returns its argument
// expect: returns its argument
System.print(System.write("w") + "!") // expect: ww!

class Shown {
  construct new() {}
  toString { "custom" }
}
System.print(Shown.new()) // expect: custom
System.write(Shown.new())
System.print() // expect: custom
