var s = "hello wren"
System.print(s[0]) // expect: h
System.print(s[4]) // expect: o
System.print(s[-1]) // expect: n
System.print(s[-4]) // expect: w
System.print(s[0...5]) // expect: hello
System.print(s[6..9]) // expect: wren
System.print(s[-4..-1]) // expect: wren
System.print(s[1..1]) // expect: e
System.print("[" + s[3...3] + "]") // expect: []
System.print(s[4..0]) // expect: olleh
System.print(s[10..-1]) // expect:
System.print(s[0..-1] == s) // expect: true

// Multibyte: indexes are byte offsets.
var bear = "ʕ•ᴥ•ʔ"
System.print(bear[0]) // expect: ʕ
System.print(bear[2]) // expect: •
System.print(bear[5]) // expect: ᴥ
System.print(bear[3].bytes.toList) // expect: [128]
