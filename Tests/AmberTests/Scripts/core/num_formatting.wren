System.print(1e21) // expect: 1e+21
System.print(1e20) // expect: 1e+20
System.print(0.1 + 0.2) // expect: 0.3
System.print(0.1 + 0.2 == 0.3) // expect: false
System.print(-0) // expect: -0
System.print(0 * -1) // expect: -0
System.print(0 / 0) // expect: nan
System.print(1 / 0) // expect: infinity
System.print(-1 / 0) // expect: -infinity
System.print(Num.nan) // expect: nan
System.print(Num.infinity) // expect: infinity
System.print(-Num.infinity) // expect: -infinity
System.print(1 / 3) // expect: 0.33333333333333
System.print(2 / 3) // expect: 0.66666666666667
System.print(100) // expect: 100
System.print(1.5) // expect: 1.5
System.print(-2.25) // expect: -2.25
System.print(1e-5) // expect: 1e-05
System.print(0.0001) // expect: 0.0001
System.print(123456.789) // expect: 123456.789
System.print(2.toString) // expect: 2
System.print((0.5).toString + "x") // expect: 0.5x
System.print(1e300 * 1e10) // expect: infinity
