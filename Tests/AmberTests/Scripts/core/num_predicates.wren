System.print(3.isInteger) // expect: true
System.print(3.5.isInteger) // expect: false
System.print((-0).isInteger) // expect: true
System.print(Num.nan.isInteger) // expect: false
System.print(Num.infinity.isInteger) // expect: false
System.print(Num.nan.isNan) // expect: true
System.print(1.isNan) // expect: false
System.print(Num.infinity.isInfinity) // expect: true
System.print((-1 / 0).isInfinity) // expect: true
System.print(1e308.isInfinity) // expect: false
System.print(Num.nan == Num.nan) // expect: false
System.print(Num.nan != Num.nan) // expect: true
System.print(Num.maxSafeInteger == 2.pow(53) - 1) // expect: true
System.print(Num.maxSafeInteger) // expect: 9.007199254741e+15
System.print(Num.minSafeInteger == -Num.maxSafeInteger) // expect: true
System.print(Num.largest > 1e308) // expect: true
System.print(Num.smallest > 0) // expect: true
