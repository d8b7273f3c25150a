System.print(null) // expect: null
System.print(!null) // expect: true
System.print(null.toString) // expect: null
System.print(null.toString.count) // expect: 4
System.print(null == null) // expect: true
System.print(null != false) // expect: true
System.print(null is Null) // expect: true
System.print(Null.name) // expect: Null
System.print([null, null]) // expect: [null, null]
