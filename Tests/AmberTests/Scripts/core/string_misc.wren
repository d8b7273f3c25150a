System.print("abc".toString) // expect: abc
System.print("abc".toString == "abc") // expect: true
System.print("abc" is String) // expect: true
System.print("a-b-c".split("-").join("+")) // expect: a+b+c
System.print("Wren".contains("re")) // expect: true
System.print("xyz".iterate(null)) // expect: 0
System.print("xyz".iteratorValue(1)) // expect: y
System.print("xyz".iterate(2)) // expect: false
System.print("€a".iterate(0)) // expect: 3
System.print("a\nb".count) // expect: 3
System.print("%("a" + "b")c") // expect: abc
