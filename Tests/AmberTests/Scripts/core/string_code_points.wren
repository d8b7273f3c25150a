var s = "aé€😀"
System.print(s.codePoints.toList) // expect: [97, 233, 8364, 128512]
System.print(s.count) // expect: 4
System.print(s.bytes.count) // expect: 10
// Indexes into codePoints are byte offsets.
System.print(s.codePoints[0]) // expect: 97
System.print(s.codePoints[1]) // expect: 233
System.print(s.codePoints[3]) // expect: 8364
System.print(s.codePoints[6]) // expect: 128512
// Pointing into the middle of a sequence yields -1.
System.print(s.codePoints[2]) // expect: -1

System.print(String.fromCodePoint(65)) // expect: A
System.print(String.fromCodePoint(0x263A)) // expect: ☺
System.print(String.fromCodePoint(128512) == "😀") // expect: true
System.print(String.fromCodePoint(233).bytes.toList) // expect: [195, 169]
