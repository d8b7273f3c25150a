// Ranges over strings index bytes but take whole code points: every code
// point whose first byte is in the range, forwards or backwards.
System.print("été"[-1..0])          // expect: été
System.print("été"[0..-1])          // expect: été
System.print("héllo"[4..0])         // expect: lléh
System.print("héllo"[1..2])         // expect: é
System.print("héllo"[2..4])         // expect: ll
System.print("日本語"[-1..0])        // expect: 語本日
System.print("a😀b"[5..0])          // expect: b😀a
System.print("a😀b"[2...5] == "")   // expect: true
System.print(Object.same(0/0, 0/0)) // expect: true
System.print(Object.same(0, -0))    // expect: false
