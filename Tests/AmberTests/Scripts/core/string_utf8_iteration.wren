var word = "naïve ☕"
System.print(word.count) // expect: 7
System.print(word.bytes.count) // expect: 10
var chars = []
for (c in word) chars.add(c)
System.print(chars) // expect: [n, a, ï, v, e,  , ☕]
System.print(chars[2].bytes.count) // expect: 2
System.print(word.toList.count) // expect: 7
System.print(word.map {|c| c.bytes.count }.toList) // expect: [1, 1, 2, 1, 1, 1, 3]
System.print(word.isEmpty) // expect: false
System.print("".isEmpty) // expect: true
System.print("".count) // expect: 0

// Invalid UTF-8 bytes are iterated one byte at a time.
var bad = String.fromByte(0xFF) + "ok"
System.print(bad.count) // expect: 3
System.print(bad.toList.map {|c| c.bytes[0] }.toList) // expect: [255, 111, 107]
