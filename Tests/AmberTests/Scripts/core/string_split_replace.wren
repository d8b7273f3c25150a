System.print("a,b,,c".split(",")) // expect: [a, b, , c]
System.print("a,b,,c".split(",").count) // expect: 4
System.print("no separator".split("|")) // expect: [no separator]
System.print("one--two--three".split("--")) // expect: [one, two, three]
System.print(",lead".split(",")) // expect: [, lead]
System.print("trail,".split(",")) // expect: [trail, ]
System.print("".split(",")) // expect: []

System.print("abc abc abc".replace(" ", "")) // expect: abcabcabc
System.print("aaa".replace("a", "bb")) // expect: bbbbbb
System.print("hello".replace("l", "")) // expect: heo
System.print("hello".replace("xyz", "!")) // expect: hello
System.print("ééé".replace("é", "e")) // expect: eee
