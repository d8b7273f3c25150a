var s = "Añb"
System.print(s.bytes.count) // expect: 4
System.print(s.bytes.toList) // expect: [65, 195, 177, 98]
System.print(s.bytes[0]) // expect: 65
System.print(s.bytes[-1]) // expect: 98
System.print("".bytes.count) // expect: 0
System.print("hi".bytes.map {|b| b + 1 }.toList) // expect: [105, 106]
System.print(String.fromByte(72) + String.fromByte(105)) // expect: Hi
System.print(String.fromByte(255).bytes.toList) // expect: [255]
