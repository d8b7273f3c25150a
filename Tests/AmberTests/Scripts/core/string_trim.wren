System.print("[" + "  padded \t\n".trim() + "]") // expect: [padded]
System.print("[" + "  left".trimStart() + "]") // expect: [left]
System.print("[" + "right  ".trimEnd() + "]") // expect: [right]
System.print("[" + "  both  ".trimStart() + "]") // expect: [both  ]
System.print("[" + "  both  ".trimEnd() + "]") // expect: [  both]
System.print("xxhixyx".trim("xy")) // expect: hi
System.print("xxhixyx".trimStart("x")) // expect: hixyx
System.print("xxhixyx".trimEnd("xy")) // expect: xxhi
System.print("[" + "     ".trim() + "]") // expect: []
System.print("«quoted»".trim("«»")) // expect: quoted
System.print("nothing".trim()) // expect: nothing
