var s = "banana bandana"
System.print(s.indexOf("ana")) // expect: 1
System.print(s.indexOf("ana", 2)) // expect: 3
System.print(s.indexOf("ana", 4)) // expect: 11
System.print(s.indexOf("xyz")) // expect: -1
System.print(s.indexOf("")) // expect: 0
System.print(s.indexOf("ban", -7)) // expect: 7
System.print(s.contains("band")) // expect: true
System.print(s.contains("bands")) // expect: false
System.print(s.contains("")) // expect: true

// Indexes are byte offsets, even after multibyte characters.
var u = "déjà vu"
System.print(u.indexOf("vu")) // expect: 7
System.print(u[u.indexOf("à")]) // expect: à
