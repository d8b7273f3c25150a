System.print("tab:\t|") // expect: tab:	|
System.print("quote: \" backslash: \\") // expect: quote: " backslash: \
System.print("line1\nline2")
// expect: line1
// expect: line2
System.print("\x41\x42\x43") // expect: ABC
System.print("\u00e9") // expect: é
System.print("\u20AC") // expect: €
System.print("\U0001F600") // expect: 😀
System.print("\u00e9".count) // expect: 1
System.print("\u00e9".bytes.count) // expect: 2
System.print("a\0b".bytes.count) // expect: 3
System.print("\%(not interpolated)") // expect: %(not interpolated)
System.print("\x7a" == "z") // expect: true
System.print("\e".bytes[0]) // expect: 27
System.print("\r".bytes[0]) // expect: 13
System.print("\b\f\v\a".bytes.toList) // expect: [8, 12, 11, 7]
